"""What the first answers of a process read from a whole store, prepared ahead: the question
vocabulary, the documents not in force, the document list and the all-district counts. Each is
kept per store view (in memory, and beside an embedded store for the next process); this module
only says which they are — after an ingest (:func:`prepare`) and while the app starts
(:func:`prepare_in_background`).
"""
from __future__ import annotations

import threading

from kb.ask import vocabulary_for
from kb.document_list import documents
from kb.store.base import Store
from kb.tallies import prepare as prepare_counts
from kb.versions import not_in_force


def prepare(store: Store) -> None:
    """Build (or load) every prepared answer of the store's current view."""
    vocabulary_for(store)
    not_in_force(store)
    documents(store)
    prepare_counts(store)


def prepare_in_background(store: Store) -> threading.Thread:
    """:func:`prepare` in a background thread (errors are left to the first question, which tries
    again); returns the thread."""
    def run() -> None:
        try:
            prepare(store)
        except Exception:  # noqa: BLE001 - the first question reports it
            pass

    thread = threading.Thread(target=run, name="policykb-prepare", daemon=True)
    thread.start()
    return thread


__all__ = ["prepare", "prepare_in_background"]
