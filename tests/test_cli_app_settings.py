"""``policykb settings`` and ``policykb app``, run as the real command."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from kb import settings
from kb.store import open_store

ROOT = Path(__file__).resolve().parents[1]
SOURCE_DOCS = ROOT / "source_docs"


def policykb(*args: str, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kb.cli", *args], capture_output=True, text=True, cwd=ROOT,
                          env=dict(os.environ, COLUMNS="200", NO_COLOR="1", **(env or {})), timeout=timeout)


def test_settings_lists_every_setting_with_its_value():
    out = policykb("settings", env={"POLICYKB_BATCH_DOCUMENTS": "7"})
    assert out.returncode == 0, out.stderr
    for setting in settings.SETTINGS.values():
        assert f"{setting.name} (${setting.env})" in out.stdout
    assert "batch_documents ($POLICYKB_BATCH_DOCUMENTS) = 7" in out.stdout


def test_settings_names_a_bad_value_and_exits_2():
    out = policykb("settings", env={"POLICYKB_WORKERS": "zero"})
    assert out.returncode == 2
    assert "POLICYKB_WORKERS" in out.stderr and "PKB-CONFIG-VALUE" in out.stderr


def test_app_refuses_a_missing_corpus(tmp_path):
    out = policykb("app", "--store", str(tmp_path / "kb"), "--corpus", str(tmp_path / "nowhere"))
    assert out.returncode == 2
    assert "nowhere" in out.stderr and "PKB-CONFIG-CORPUS" in out.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_app_ingests_the_corpus_then_serves_the_app(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in sorted(SOURCE_DOCS.glob("*.txt"))[:2]:
        shutil.copy(path, corpus / path.name)
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "kb.cli", "app", "--store", str(tmp_path / "kb"),
                             "--corpus", str(corpus), "--port", str(port)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
                            env=dict(os.environ, NO_COLOR="1"))
    try:
        deadline, healthy = time.monotonic() + 180, False
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                    healthy = r.status == 200 and r.read().strip() == b"ok"
            except OSError:
                pass
            if healthy:
                break
            time.sleep(0.5)
        assert healthy, f"the app did not come up (exit {proc.poll()})"
        with open_store(str(tmp_path / "kb"), read_only=True) as store:
            assert len(store.graphs()) == 2                     # ingested before the app started
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        output = proc.communicate(timeout=30)[0].decode("utf-8", "replace")
    assert "2 documents ready" in output
