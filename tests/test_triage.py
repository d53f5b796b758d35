"""Triage reads words: a marker inside a descriptive word marks nothing, everywhere else it does."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.triage import segment_pattern, triage_pattern


@pytest.mark.parametrize("sentence, segmented", [
    ("集团化办学取得了重要成效。", False),            # 取得, 重要: descriptive words only
    ("这是一项主要任务，需求很大。", False),
    ("成员校应每学期开展1次联合教研。", True),        # 应 is a modal
    ("各校不得以集团名义收费。", True),               # 不得以 = 不得 + 以, not 得以
    ("重要的是各校要落实责任。", True),               # 重要 descriptive, 要 a modal
    ("鼓励各校相互交流。", True),
])
def test_segment_only_sentences_with_a_modal_word(sentence: str, segmented: bool):
    assert bool(segment_pattern().search(sentence)) is segmented


@pytest.mark.parametrize("sentence, examined", [
    ("取得重要成效。", False),
    ("各校要建立联席会议制度。", True),
    ("每月召开1次例会。", True),
])
def test_triage_keeps_sentences_that_can_state_a_fact(sentence: str, examined: bool):
    assert bool(triage_pattern().search(sentence)) is examined


def test_jiebas_dictionary_is_read_from_its_cache_in_one_read(tmp_path):
    """jieba's prefix dictionary is filled from the cache file jieba keeps (one read, not jieba's
    piecewise ``marshal.load``) and segments exactly as jieba's own loading does; without a cache,
    or with a damaged one, jieba's own initialization runs and the words are the same."""
    import os
    import subprocess
    import sys

    script = (
        "import json, sys, jieba\n"
        "from ingest import segmenter\n"
        "segmenter._read_prefix_dictionary(jieba)\n"
        "ours = jieba.dt.initialized\n"
        "segmenter.setup()\n"
        "print(json.dumps([ours, jieba.dt.total, len(jieba.dt.FREQ),"
        " jieba.lcut('集团内实行党组织领导的总校长负责制，牵头校每学期至少开展1次联合教研')]))\n")

    def run() -> list:
        env = {**os.environ, "TMPDIR": str(tmp_path)}
        out = subprocess.run([sys.executable, "-c", script], cwd=Path(__file__).resolve().parents[1], env=env,
                             capture_output=True, text=True, check=True).stdout
        return json.loads(out.strip().splitlines()[-1])

    built = run()                                   # no cache yet: jieba builds and saves it
    assert built[0] is False and (tmp_path / "jieba.cache").is_file()
    read = run()
    assert read[0] is True and read[1:] == built[1:]
    (tmp_path / "jieba.cache").write_bytes(b"not a marshalled dictionary")
    damaged = run()
    assert damaged[0] is False and damaged[1:] == built[1:]
