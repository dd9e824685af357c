"""``python -m pmsim.widgets [PATH] [--port N] [--open] [--token]``: serve the dashboard (see :mod:`.server`)."""

from .server import main

raise SystemExit(main())
