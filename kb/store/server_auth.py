"""HTTP authentication for a SPARQL server: Digest or Basic, as configured or as the server's
challenge asks. The credentials are passed in (from ``POLICYKB_USER`` / ``POLICYKB_PASSWORD`` or the
URL); nothing here logs or stores them. A Digest challenge is answered once and its nonce reused
(with a counter) by every later request, from any thread, until the server asks again.
"""
from __future__ import annotations

import threading

import httpx


class SharedDigestAuth(httpx.DigestAuth):
    """httpx's Digest auth, safe to share between threads: the nonce counter is taken under a lock,
    so concurrent requests reusing one nonce never send the same count (which a server refuses)."""

    def __init__(self, username: str, password: str) -> None:
        super().__init__(username, password)
        self._lock = threading.Lock()

    def prime(self, request, response) -> None:
        """Take the Digest challenge of a 401 ``response`` already received, so the next request
        answers it at once instead of being challenged again."""
        for header in response.headers.get_list("www-authenticate"):
            if header.lower().startswith("digest "):
                with self._lock:
                    self._last_challenge = self._parse_challenge(request, response, header)
                    self._nonce_count = 1
                return

    def _build_auth_header(self, request, challenge) -> str:
        with self._lock:
            return super()._build_auth_header(request, challenge)


def server_auth(user: str | None, password: str | None, scheme: str):
    """An httpx auth object: Digest or Basic as the server's challenge asks (``scheme="auto"``)."""
    if not user or scheme == "none":
        return None
    password = password or ""
    if scheme == "digest":
        return SharedDigestAuth(user, password)
    if scheme == "basic":
        return httpx.BasicAuth(user, password)

    class AutoAuth(httpx.Auth):
        """Answer the server's challenge: Digest when offered, else Basic; then stick to it."""

        requires_request_body = True

        def __init__(self) -> None:
            self.digest = SharedDigestAuth(user, password)
            self.basic = httpx.BasicAuth(user, password)
            self.chosen: httpx.Auth | None = None

        def auth_flow(self, request):
            if self.chosen is not None:
                yield from self.chosen.auth_flow(request)
                return
            response = yield request
            if response.status_code != 401:
                return
            offered = {h.split(None, 1)[0].lower() for h in response.headers.get_list("www-authenticate") if h}
            if "digest" in offered:
                self.digest.prime(request, response)   # answer this challenge: no second 401
                self.chosen = self.digest
            elif "basic" in offered:
                self.chosen = self.basic
            else:
                return
            yield from self.chosen.auth_flow(request)

    return AutoAuth()


__all__ = ["SharedDigestAuth", "server_auth"]
