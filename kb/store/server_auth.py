"""HTTP authentication for a SPARQL server: Digest or Basic, as configured or as the server's
challenge asks. The credentials are passed in (from ``POLICYKB_USER`` / ``POLICYKB_PASSWORD`` or the
URL); nothing here logs or stores them.
"""
from __future__ import annotations

import httpx


def server_auth(user: str | None, password: str | None, scheme: str):
    """An httpx auth object: Digest or Basic as the server's challenge asks (``scheme="auto"``)."""
    if not user or scheme == "none":
        return None
    password = password or ""
    if scheme == "digest":
        return httpx.DigestAuth(user, password)
    if scheme == "basic":
        return httpx.BasicAuth(user, password)

    class AutoAuth(httpx.Auth):
        """Answer the server's challenge: Digest when offered, else Basic; then stick to it."""

        requires_request_body = True

        def __init__(self) -> None:
            self.digest = httpx.DigestAuth(user, password)
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
                self.chosen = self.digest
            elif "basic" in offered:
                self.chosen = self.basic
            else:
                return
            yield from self.chosen.auth_flow(request)

    return AutoAuth()


__all__ = ["server_auth"]
