"""The NumPy cell step against torch.nn.LSTMCell, and its input checks."""


import numpy as np
import pytest
import torch

from lstm_course.interop import torch_cell_from_params
from lstm_course.lstm.cell import cell_from_gates, init_cell_params, lstm_cell_forward, split_gates


@pytest.mark.parametrize("D,H,B", [(1, 1, None), (3, 4, None), (5, 2, 1), (3, 4, 7), (8, 16, 3)])
def test_cell_step_matches_torch_lstmcell(D, H, B):
    rng = np.random.default_rng(D * 100 + H)
    params = init_cell_params(D, H, rng)
    batch = () if B is None else (B,)
    x, h, c = rng.normal(size=(*batch, D)), rng.normal(size=(*batch, H)), rng.normal(size=(*batch, H))
    h_np, c_np, cache = lstm_cell_forward(x, h, c, *params)
    cell = torch_cell_from_params(params)
    with torch.no_grad():
        h_pt, c_pt = cell(torch.from_numpy(x), (torch.from_numpy(h), torch.from_numpy(c)))
    assert h_np.shape == tuple(h_pt.shape) == (*batch, H)
    assert np.abs(h_np - h_pt.numpy()).max() <= 1e-12
    assert np.abs(c_np - c_pt.numpy()).max() <= 1e-12
    assert np.array_equal(cache.h_t, h_np) and np.array_equal(cache.c_t, c_np)


def test_init_like_torch_uniform_bound():
    params = init_cell_params(5, 16, rng=0)
    assert max(np.abs(p).max() for p in params) <= 1 / np.sqrt(16)
    assert params.W_ih.shape == (64, 5) and params.W_hh.shape == (64, 16)


def test_float32_inputs_stay_float32():
    params = [p.astype(np.float32) for p in init_cell_params(2, 3, rng=0)]
    x = np.ones(2, np.float32)
    h, c, _ = lstm_cell_forward(x, np.zeros(3, np.float32), np.zeros(3, np.float32), *params)
    assert h.dtype == np.float32 and c.dtype == np.float32


def test_split_gates_order_and_errors():
    z = np.arange(8.0)
    i, f, g, o = split_gates(z)
    assert list(i) == [0, 1] and list(f) == [2, 3] and list(g) == [4, 5] and list(o) == [6, 7]
    with pytest.raises(ValueError, match="4H"):
        split_gates(np.arange(6.0))


@pytest.mark.parametrize("change,message", [
    (dict(x_t=np.zeros(4)), r"x_t must have shape \(3,\), got \(4,\)"),
    (dict(x_t=np.zeros((2, 3)), h_prev=np.zeros(4)), r"h_prev must have shape \(2, 4\), got \(4,\)"),
    (dict(c_prev=np.zeros(5)), r"c_prev must have shape \(4,\), got \(5,\)"),
    (dict(h_prev=np.zeros((1, 4))), r"h_prev must have shape \(4,\), got \(1, 4\)"),
    (dict(x_t=np.zeros((1, 1, 3))), r"x_t must be 1-D or 2-D, got 3-D array of shape \(1, 1, 3\)"),
    (dict(W_ih=np.zeros((12, 3))), r"W_ih must have shape \(4H, D\) = \(16, D\) with D >= 1, got \(12, 3\)"),
    (dict(W_hh=np.zeros((16, 3))), r"W_hh must have shape \(4H, H\) = \(12, 3\), got \(16, 3\)"),
    (dict(b_ih=np.zeros(4)), r"b_ih must have shape \(16,\), got \(4,\)"),
    (dict(x_t=np.array([0.0, np.nan, 0.0])), r"x_t contains NaN"),
    (dict(x_t=["a", "b", "c"]), r"x_t must be an array of numbers"),
])
def test_cell_step_rejects_bad_input_clearly(change, message):
    D, H = 3, 4
    args = dict(x_t=np.zeros(D), h_prev=np.zeros(H), c_prev=np.zeros(H), **init_cell_params(D, H, rng=0)._asdict())
    args.update(change)
    with pytest.raises(ValueError, match=message):
        lstm_cell_forward(**args)


def test_cell_from_gates_equations_and_shape_check():
    c_t, h_t = cell_from_gates(1.0, 0.5, 0.4, 1.0, 2.0)          # torch's order: i_t, f_t, g_t, o_t, c_prev
    assert c_t == 0.5 * 2.0 + 1.0 * 0.4 and h_t == np.tanh(1.4)
    c_t, _ = cell_from_gates(i_t=0.0, f_t=1.0, g_t=0.4, o_t=1.0, c_prev=2.0)
    assert c_t == 2.0
    with pytest.raises(ValueError, match=r"f_t must have the shape of i_t, \(2,\), got \(3,\)"):
        cell_from_gates(np.ones(2), np.ones(3), np.ones(2), np.ones(2), np.ones(2))


