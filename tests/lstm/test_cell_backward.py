"""lstm_cell_backward against torch autograd and finite differences."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from lstm_course.lstm.cell import gates_backward, lstm_cell_backward, lstm_cell_forward
from lstm_course.lstm.gradcheck import numeric_gradient


def random_step(batch: tuple[int, ...], D: int = 3, H: int = 4, seed: int = 0):
    rng = np.random.default_rng(seed)
    args = (rng.normal(size=(*batch, D)), rng.normal(size=(*batch, H)), rng.normal(size=(*batch, H)),
            rng.uniform(-1, 1, (4 * H, D)), rng.uniform(-1, 1, (4 * H, H)), rng.uniform(-1, 1, 4 * H),
            rng.uniform(-1, 1, 4 * H))
    return args, rng.normal(size=(*batch, H)), rng.normal(size=(*batch, H))


@pytest.mark.parametrize("batch", [(), (5,)])
def test_cell_backward_matches_torch_autograd(batch):
    args, dh, dc = random_step(batch)
    h, c, cache = lstm_cell_forward(*args)
    grads = lstm_cell_backward(dh, dc, cache, args[3], args[4])
    cell = torch.nn.LSTMCell(3, 4, dtype=torch.float64)
    with torch.no_grad():
        for p, v in zip((cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh), args[3:]):
            p.copy_(torch.from_numpy(v))
    x, h0, c0 = (torch.tensor(a, requires_grad=True) for a in args[:3])
    h_t, c_t = cell(x, (h0, c0))
    assert np.abs(h_t.detach().numpy() - h).max() < 1e-14
    loss = (h_t * torch.from_numpy(dh)).sum() + (c_t * torch.from_numpy(dc)).sum()
    wrt = dict(x_t=x, h_prev=h0, c_prev=c0, W_ih=cell.weight_ih, W_hh=cell.weight_hh, b_ih=cell.bias_ih,
               b_hh=cell.bias_hh)
    ref = dict(zip(wrt, torch.autograd.grad(loss, list(wrt.values()))))
    assert list(grads) == list(wrt)
    for name, r in ref.items():
        assert grads[name].shape == tuple(r.shape), name
        assert np.abs(grads[name] - r.numpy()).max() <= 1e-12 * max(1.0, np.abs(r.numpy()).max()), name


def test_cell_backward_finite_differences():
    args, dh, dc = random_step((2,), D=2, H=3, seed=1)
    args = [a.copy() for a in args]

    def loss() -> float:
        h, c, _ = lstm_cell_forward(*args)
        return float((h * dh).sum() + (c * dc).sum())

    _, _, cache = lstm_cell_forward(*args)
    grads = lstm_cell_backward(dh, dc, cache, args[3], args[4])
    for k, name in enumerate(("x_t", "h_prev", "c_prev", "W_ih", "W_hh", "b_ih", "b_hh")):
        numeric = numeric_gradient(loss, args[k])
        assert np.abs(grads[name] - numeric).max() < 1e-8, name


def test_carousel_dc_prev_is_dc_times_f():
    args, _, dc = random_step((), seed=2)
    _, _, cache = lstm_cell_forward(*args)
    _, dc_prev = gates_backward(np.zeros(4), dc, cache)
    assert np.allclose(dc_prev, dc * cache.f_t, atol=1e-15, rtol=0)


def test_cell_backward_bad_inputs():
    args, dh, dc = random_step((2,))
    _, _, cache = lstm_cell_forward(*args)
    with pytest.raises(ValueError, match=r"dh_t must have shape \(2, 4\), got \(4,\)"):
        lstm_cell_backward(np.zeros(4), dc, cache, args[3], args[4])
    with pytest.raises(ValueError, match=r"W_hh must have shape \(4H, H\) = \(16, 4\), got \(16, 3\)"):
        lstm_cell_backward(dh, dc, cache, args[3], np.zeros((16, 3)))
    with pytest.raises(TypeError, match="cache must be the CellCache returned by lstm_cell_forward, got tuple"):
        lstm_cell_backward(dh, dc, tuple(cache), args[3], args[4])
