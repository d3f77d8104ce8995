"""lstm_cell_backward against torch autograd and finite differences, and the checkers of notebooks 02 and 03."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from lstm_course.lstm.cell import gates_backward, lstm_cell_backward, lstm_cell_forward
from lstm_course.lstm.gradcheck import numeric_gradient
from lstm_course.classroom.checkers import check_cell_backward, check_sequence_forward
from lstm_course.lstm.sequence import sequence_forward


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
    with pytest.raises(ValueError, match=r"W_hh must have shape \(16, 4\), got \(16, 3\)"):
        lstm_cell_backward(dh, dc, cache, args[3], np.zeros((16, 3)))
    with pytest.raises(TypeError, match="cache must be the CellCache returned by lstm_cell_forward, got tuple"):
        lstm_cell_backward(dh, dc, tuple(cache), args[3], args[4])


# ----- the checker of notebook 03: implement the cell backward -----

def reference_backward(dh_t, dc_t, cache, W_ih, W_hh):
    return lstm_cell_backward(dh_t, dc_t, cache, W_ih, W_hh)


def with_change(change):
    """The reference backward with one gradient computed wrongly by ``change(grads, dh, dc, cache, W_ih, W_hh)``."""
    def backward(dh_t, dc_t, cache, W_ih, W_hh):
        grads = lstm_cell_backward(dh_t, dc_t, cache, W_ih, W_hh)
        change(grads, dh_t, dc_t, cache, W_ih, W_hh)
        return grads
    return backward


def no_dh_path(dh_t, dc_t, cache, W_ih, W_hh):
    """Forgets that c_t reaches the loss through h_t as well."""
    grads = lstm_cell_backward(np.zeros_like(dh_t), dc_t, cache, W_ih, W_hh)
    right = lstm_cell_backward(dh_t, dc_t, cache, W_ih, W_hh)
    H = cache.h_t.shape[-1]
    grads["b_ih"][..., 3 * H:] = right["b_ih"][..., 3 * H:]
    return grads


def sigmoid_derivative_missing_on_f(dh_t, dc_t, cache, W_ih, W_hh):
    dz, dc_prev = gates_backward(dh_t, dc_t, cache)
    H = cache.h_t.shape[-1]
    dc = dc_prev / cache.f_t
    dz[..., H:2 * H] = dc * cache.c_prev            # missing f_t (1 - f_t)
    rows = dz.reshape(-1, 4 * H)
    return {"x_t": dz @ W_ih, "h_prev": dz @ W_hh, "c_prev": dc_prev,
            "W_ih": rows.T @ cache.x_t.reshape(-1, W_ih.shape[1]), "W_hh": rows.T @ cache.h_prev.reshape(-1, H),
            "b_ih": rows.sum(0), "b_hh": rows.sum(0)}


def mean_over_batch(dh_t, dc_t, cache, W_ih, W_hh):
    """Averages the weight gradient over the batch instead of summing it."""
    grads = lstm_cell_backward(dh_t, dc_t, cache, W_ih, W_hh)
    grads["W_hh"] /= len(np.atleast_2d(cache.x_t))
    return grads


def not_implemented(*args):
    raise NotImplementedError


@pytest.mark.parametrize("backward, part", [
    (with_change(lambda g, dh, dc, *a: g.update(c_prev=dc)), "dc_prev = dc * f_t"),
    (no_dh_path, "c_t also reaches the loss through h_t"),
    (sigmoid_derivative_missing_on_f, "f gate"),
    (with_change(lambda g, *a: g.update(b_hh=np.zeros_like(g["b_hh"]))), "dL/db_hh"),
    (with_change(lambda g, *a: g.update(W_ih=2 * g["W_ih"])), "dL/dW_ih"),
    (with_change(lambda g, *a: g.update(h_prev=g["h_prev"] + 1)), "dL/dh_prev"),
    (mean_over_batch, "batch of 4"),
])
def test_check_cell_backward_names_the_wrong_gradient(backward, part):
    result = check_cell_backward(backward)
    assert not result.passed
    assert part in str(result), str(result)


def test_check_cell_backward_pass_and_stub():
    assert check_cell_backward(reference_backward).passed
    stub = check_cell_backward(not_implemented)
    assert not stub.passed and "not written yet" in str(stub)
    wrong_keys = check_cell_backward(lambda *a: {"dx": 0})
    assert not wrong_keys.passed and "keys" in str(wrong_keys)


# ----- the checker of notebook 02: one layer over a sequence -----

def reference_sequence(x, h0, c0, W_ih, W_hh, b_ih, b_hh):
    hs, cache = sequence_forward(x, h0, c0, W_ih, W_hh, b_ih + b_hh)
    return hs, cache.h[-1], cache.c[-1]


def loop(x, h0, c0, W_ih, W_hh, b_ih, b_hh, carry_h=True, carry_c=True, last_c=True):
    h, c, hs = h0, c0, []
    for x_t in x:
        h_new, c_new, _ = lstm_cell_forward(x_t, h if carry_h else h0, c if carry_c else c0, W_ih, W_hh, b_ih, b_hh)
        h, c = h_new, (c_new if last_c or len(hs) < len(x) - 1 else c)
        hs.append(h)
    return np.stack(hs), h, c


@pytest.mark.parametrize("run, part", [
    (lambda *a: loop(*a, carry_c=False), "cell state carried"),
    (lambda *a: loop(*a, carry_h=False), "hidden state carried"),
    (lambda *a: loop(*a, last_c=False), "final state: c_T"),
    (lambda x, *a: tuple(np.swapaxes(v, 0, 1) if v.ndim == 3 else v for v in loop(x, *a)), "must have shape"),
    (lambda x, h0, c0, W_ih, W_hh, b_ih, b_hh: loop(x, h0, c0, W_ih, W_hh, b_ih, b_ih), "first step"),
])
def test_check_sequence_forward_names_the_wrong_part(run, part):
    result = check_sequence_forward(run)
    assert not result.passed
    assert part in str(result), str(result)


def test_check_sequence_forward_pass_and_stub():
    assert check_sequence_forward(reference_sequence).passed
    assert check_sequence_forward(loop).passed
    stub = check_sequence_forward(not_implemented)
    assert not stub.passed and "not written yet" in str(stub)
