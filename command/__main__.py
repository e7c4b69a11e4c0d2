"""``python -m command`` is the same as ``command-center``."""

import sys

from command.cli import main

sys.exit(main())
