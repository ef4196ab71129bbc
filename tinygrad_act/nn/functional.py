"""`import tinygrad_act.nn.functional as F`, PyTorch's spelling of `tinygrad_act.functional`.

This module replaces itself by `tinygrad_act.functional`, so both names are one module: every
activation registered later (a user's own included) appears under both.
"""

import sys

from .. import functional

sys.modules[__name__] = functional
