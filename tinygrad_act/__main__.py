"""`python -m tinygrad_act ...` runs the tinygrad-act command."""

import sys

from .cli import main

sys.exit(main())
