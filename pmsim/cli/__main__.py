"""``python -m pmsim.cli``: the same as the ``pmsim`` command."""

import sys

from .app import main

sys.exit(main())
