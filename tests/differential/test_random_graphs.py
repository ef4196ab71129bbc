"""Random graphs over every op, activation and loss agree with PyTorch, forward and backward.

Each test draws programs that use one op (the "focus") at least once among random others, so a
failure names its op; hypothesis shrinks it to the shortest program that still disagrees.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from .graphs import BUILDERS, Program, compare, programs

pytestmark = pytest.mark.usefixtures("custom_activation")

# Graphs per focus op, 40 in float64 and 30 in float32: 81 ops x 70 = 5,670 graphs.
EXAMPLES = {np.float64: 40, np.float32: 30}
DTYPES = [pytest.param(np.float64, id="float64"), pytest.param(np.float32, id="float32")]


def _check(focus: str, dtype: type) -> None:
    def agrees_with_torch(program: Program) -> None:
        compare(program, dtype)

    # derandomize seeds each test from its function's name: one name per focus and dtype makes each
    # draw its own graphs (the same name everywhere would replay one sequence of choices in all).
    agrees_with_torch.__name__ = agrees_with_torch.__qualname__ = f"{focus}_{np.dtype(dtype).name}"
    settings(derandomize=True, deadline=None, max_examples=EXAMPLES[dtype], database=None,
             suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])(
        given(programs(focus))(agrees_with_torch))()


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("focus", list(BUILDERS))
def test_random_graph_matches_torch(focus: str, dtype: type) -> None:
    _check(focus, dtype)
