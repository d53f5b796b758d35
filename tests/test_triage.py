"""Triage reads words: a marker inside a descriptive word marks nothing, everywhere else it does."""
from __future__ import annotations

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
