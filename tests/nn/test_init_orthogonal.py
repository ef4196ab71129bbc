"""nn.init.orthogonal_: PyTorch's formula (QR of a normal matrix, signs fixed by R's diagonal) and gain."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_act as ta
from tinygrad_act import nn
from tinygrad_act.rng import generator


@pytest.mark.parametrize("shape", [(8, 8), (5, 12), (12, 5)])
def test_rows_or_columns_are_orthonormal_times_the_gain(shape):
    weight = nn.init.orthogonal_(ta.zeros(*shape, dtype=np.float64), gain=1.5)
    matrix = weight.data
    gram = matrix @ matrix.T if shape[0] <= shape[1] else matrix.T @ matrix
    np.testing.assert_allclose(gram, 1.5**2 * np.eye(min(shape)), atol=1e-12)
    np.testing.assert_allclose(np.linalg.svd(matrix, compute_uv=False), 1.5, atol=1e-12)


def test_a_kernel_is_flattened_to_rows_by_the_rest():
    weight = nn.init.orthogonal_(ta.zeros(4, 2, 3, dtype=np.float64))
    flat = weight.data.reshape(4, 6)
    np.testing.assert_allclose(flat @ flat.T, np.eye(4), atol=1e-12)


def test_fills_in_place_and_keeps_the_dtype(seeded):
    weight = ta.zeros(6, 6)
    data = weight.data
    assert nn.init.orthogonal_(weight) is weight
    assert weight.data is data and weight.dtype == np.float32


def test_same_seed_gives_the_same_matrix():
    ta.manual_seed(3)
    first = nn.init.orthogonal_(ta.zeros(6, 4)).data.copy()
    ta.manual_seed(3)
    np.testing.assert_array_equal(nn.init.orthogonal_(ta.zeros(6, 4)).data, first)


def test_is_haar_distributed_so_entries_have_variance_one_over_n():
    # R's diagonal signs make Q uniform over the orthogonal group: each entry has mean 0, variance 1/n
    ta.manual_seed(0)
    entries = np.stack([nn.init.orthogonal_(ta.zeros(4, 4, dtype=np.float64)).data for _ in range(3000)])
    np.testing.assert_allclose(entries.mean(axis=0), 0.0, atol=0.03)
    np.testing.assert_allclose(entries.var(axis=0), 0.25, atol=0.03)


def test_one_dimensional_tensors_are_refused_as_in_pytorch():
    with pytest.raises(ValueError, match="2 or more dimensions"):
        nn.init.orthogonal_(ta.zeros(5))


def test_mlp_accepts_it_by_name():
    model = nn.MLP([10, 10, 3], activation="tanh", init="orthogonal")
    first = model.linears()[0].weight.data.astype(np.float64)
    np.testing.assert_allclose(first @ first.T, np.eye(10), atol=1e-5)


def test_matches_pytorchs_formula_on_the_same_normal_draw():
    torch = pytest.importorskip("torch")
    ta.manual_seed(5)
    normal = generator().normal(0.0, 1.0, (4, 7))  # the draw orthogonal_ makes for a (4, 7) weight
    q, r = torch.linalg.qr(torch.from_numpy(normal.T))  # PyTorch transposes a wide matrix first
    expected = (q * torch.sign(torch.diag(r))).T.numpy() * 2.0
    ta.manual_seed(5)
    ours = nn.init.orthogonal_(ta.zeros(4, 7, dtype=np.float64), gain=2.0).data
    np.testing.assert_allclose(ours, expected, atol=1e-12)
