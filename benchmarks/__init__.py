"""policykb's benchmarks: a synthetic national corpus, ingest, queries and the app, against
baselines and targets. Run them all with ``python -m benchmarks`` (``make bench``); see README.md."""
