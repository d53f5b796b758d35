"""Writers kept out of a shared store (kb/uploads.py): the app on a SPARQL server is read-only unless
the operator enables uploads, then every upload needs the operator's password (a salted scrypt hash
in ``POLICYKB_APP_UPLOAD_PASSWORD_HASH``, made by ``policykb hash-password``, compared in constant
time). Checked on the policy, the command, and the app through AppTest on the embedded store and on
a real Virtuoso (the browser test: tests/test_browser_uploads.py).
"""
from __future__ import annotations

import logging

import pytest
from typer.testing import CliRunner

from kb.errors import ConfigError, PolicyKBError
from kb.uploads import check_upload, hash_password, parse_hash, upload_policy, verify_password

PASSWORD = "correct horse battery staple"
HASH = hash_password(PASSWORD)


# --------------------------------------------------------------------------- the hash


def test_a_hash_verifies_its_password_only():
    assert verify_password(PASSWORD, HASH)
    assert not verify_password(PASSWORD + " ", HASH) and not verify_password("", HASH)
    assert PASSWORD not in HASH and "$" not in HASH
    again = hash_password(PASSWORD)
    assert again != HASH and verify_password(PASSWORD, again)   # a fresh salt each time
    n, r, p, salt, digest = parse_hash(HASH)
    assert n >= 2 ** 14 and len(salt) >= 16 and len(digest) == 32


@pytest.mark.parametrize("bad", ["", "secret", "scrypt:16384:8:1:abc", "bcrypt:1:2:3:abcdabcdabcd:abcdabcdabcdabcdabcdabcd",
                                 "scrypt:3:8:1:AAAAAAAAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                                 "scrypt:1073741824:8:1:AAAAAAAAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"])
def test_what_is_not_a_hash_is_refused(bad, monkeypatch):
    with pytest.raises(ValueError):
        parse_hash(bad)
    if bad and (bad.count(":") != 5 or not bad.startswith("scrypt")):   # (empty: unset)
        monkeypatch.setenv("POLICYKB_APP_UPLOAD_PASSWORD_HASH", bad)
        with pytest.raises(ConfigError) as err:
            upload_policy("/tmp/kb")
        assert err.value.code == "PKB-CONFIG-VALUE"


# --------------------------------------------------------------------------- the policy

SERVER = "http://127.0.0.1:1/sparql-auth"


@pytest.mark.parametrize("location, uploads, with_hash, allowed, needs_password", [
    ("/tmp/kb", None, False, True, False),        # embedded: as before
    ("/tmp/kb", None, True, True, True),          # embedded with a password set: asked for
    ("/tmp/kb", "false", False, False, False),    # any store can be made read-only
    (SERVER, None, False, False, False),          # a shared server: read-only by default
    (SERVER, None, True, False, False),           # a hash alone does not open it
    (SERVER, "true", False, False, False),        # enabled without a password: still closed
    (SERVER, "true", True, True, True),           # enabled with a password: asked for
])
def test_upload_policy(location, uploads, with_hash, allowed, needs_password, monkeypatch):
    monkeypatch.delenv("POLICYKB_APP_UPLOADS", raising=False)
    monkeypatch.delenv("POLICYKB_APP_UPLOAD_PASSWORD_HASH", raising=False)
    if uploads:
        monkeypatch.setenv("POLICYKB_APP_UPLOADS", uploads)
    if with_hash:
        monkeypatch.setenv("POLICYKB_APP_UPLOAD_PASSWORD_HASH", HASH)
    policy = upload_policy(location)
    assert (policy.allowed, policy.needs_password, policy.shared) == (allowed, needs_password, location == SERVER)
    codes = []
    for password in (None, "wrong password", PASSWORD):
        try:
            check_upload(location, password)
            codes.append(None)
        except PolicyKBError as exc:
            assert not password or password not in str(exc)   # a password never shows in a message
            codes.append(exc.code)
    if not allowed:
        assert codes == ["PKB-UPLOAD-OFF"] * 3
    elif needs_password:
        assert codes == ["PKB-UPLOAD-PASSWORD", "PKB-UPLOAD-PASSWORD", None]
    else:
        assert codes == [None] * 3


# --------------------------------------------------------------------------- the command


def test_hash_password_command_prints_a_hash_of_stdin_only():
    from kb.cli import app

    result = CliRunner().invoke(app, ["hash-password"], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    printed = result.stdout.strip()
    assert verify_password(PASSWORD, printed) and PASSWORD not in result.output
    short = CliRunner().invoke(app, ["hash-password"], input="short\n")
    assert short.exit_code == 2 and "PKB-CLI-ARGS" in short.output


# --------------------------------------------------------------------------- the app (AppTest)

from tests.test_app import UPLOAD, app_store, new_app, ok, plain, writable_store  # noqa: E402,F401


def _upload(at, name: str, password: str | None):
    at.file_uploader(key="doc_upload").set_value((name, UPLOAD.encode("utf-8"), "text/plain"))
    ok(at.run())
    if password is not None:
        at.text_input(key="doc_upload_password").input(password)
    at.button(key="doc_ingest").click()
    return ok(at.run())


def _messages(elements) -> str:
    return " ".join(plain(e.value) for e in elements)


def test_embedded_store_with_a_password_refuses_then_accepts(writable_store, monkeypatch, caplog):
    monkeypatch.setenv("POLICYKB_APP_UPLOAD_PASSWORD_HASH", HASH)
    caplog.set_level(logging.DEBUG)
    at = ok(new_app(page="documents").run())
    for attempt in (None, "not the password"):
        at = _upload(at, "测试县方案.txt", attempt)
        assert "上传密码不正确" in _messages(at.error) and "PKB-UPLOAD-PASSWORD" in _messages(at.error)
        assert not at.success and len(at.dataframe(key="doc_table").value) == 5
        assert not (writable_store / "uploads" / "测试县方案.txt").exists()
    at = _upload(at, "测试县方案.txt", PASSWORD)
    assert not at.error, _messages(at.error)
    assert at.success and "测试县方案.txt" in _messages(at.success)
    assert len(at.dataframe(key="doc_table").value) == 6
    assert PASSWORD not in caplog.text


# --------------------------------------------------------------------------- the app on Virtuoso

from tests.test_server_store import virtuoso, wipe  # noqa: E402,F401  (the shared session fixture)


@pytest.fixture()
def server_app(virtuoso, tmp_path, monkeypatch):  # noqa: F811
    """The app's environment on an empty Virtuoso store (uploads kept under ``tmp_path``)."""
    with virtuoso.store() as store:
        wipe(store)
    monkeypatch.setenv("POLICYKB_STORE", virtuoso.url)
    monkeypatch.setenv("POLICYKB_USER", "dba")
    monkeypatch.setenv("POLICYKB_PASSWORD", virtuoso.password)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("POLICYKB_APP_UPLOADS", raising=False)
    monkeypatch.delenv("POLICYKB_APP_UPLOAD_PASSWORD_HASH", raising=False)
    yield virtuoso
    with virtuoso.store() as store:
        wipe(store)


@pytest.mark.server
@pytest.mark.parametrize("env", [{}, {"POLICYKB_APP_UPLOAD_PASSWORD_HASH": HASH}, {"POLICYKB_APP_UPLOADS": "true"}])
def test_the_app_on_a_server_store_is_read_only_by_default(server_app, env, monkeypatch):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    at = ok(new_app(page="documents").run())
    assert list(at.get("file_uploader")) == [] and not [b for b in at.button if b.key == "doc_ingest"]
    assert "本应用为只读" in " ".join(c.value for c in at.caption)
    with pytest.raises(PolicyKBError) as err:   # and the helper the page calls refuses too
        from webapp.support import ingest_upload
        ingest_upload(server_app.url, "x.txt", UPLOAD.encode("utf-8"), password=PASSWORD)
    assert err.value.code == "PKB-UPLOAD-OFF"
    with server_app.store() as store:
        assert store.graphs() == []


@pytest.mark.server
def test_the_app_on_a_server_store_takes_uploads_with_the_password_only(server_app, monkeypatch, caplog):
    monkeypatch.setenv("POLICYKB_APP_UPLOADS", "true")
    monkeypatch.setenv("POLICYKB_APP_UPLOAD_PASSWORD_HASH", HASH)
    caplog.set_level(logging.DEBUG)
    at = ok(new_app(page="documents").run())
    at = _upload(at, "测试县方案.txt", None)
    assert "PKB-UPLOAD-PASSWORD" in _messages(at.error)
    with server_app.store() as store:
        assert store.graphs() == []
    at = _upload(at, "测试县方案.txt", PASSWORD)
    assert not at.error, _messages(at.error)
    assert at.success and "测试县方案.txt" in _messages(at.success)
    with server_app.store() as store:
        assert len(store.graphs()) == 1
    assert PASSWORD not in caplog.text and server_app.password not in caplog.text
