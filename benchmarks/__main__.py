"""``python -m benchmarks`` (``make bench``): see :mod:`benchmarks.run`."""
from benchmarks.run import main

raise SystemExit(main())
