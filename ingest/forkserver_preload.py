"""Imported by the ingest's fork server (:func:`ingest.worker.worker_context`) before it forks any
worker: builds and warms the pipeline there (:func:`ingest.worker.warm`), so each worker starts
with it in memory, shared with its siblings, instead of building its own.
"""
from ingest.worker import warm

try:
    warm()
except Exception:  # noqa: BLE001 - a worker then builds the pipeline itself and reports what fails
    pass
