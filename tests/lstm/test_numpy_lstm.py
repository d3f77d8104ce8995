"""NumpyLSTM against torch.nn.LSTM: random configurations, forward and backward, float64.

Each seed draws a configuration (sizes, layers, directions, batch_first,
bias, proj_size (0 included), sequence length 1 included, unbatched input,
given or default state) and requires forward max |diff| <= 1e-12 and
gradient relative error <= 1e-9 against torch autograd; every combination
of layers, directions, batch_first, bias and unbatched input is also run
with a projection. Central finite-difference checks cover every gradient
on small two-layer bidirectional nets, with and without a projection.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

from lstm_course.interop import numpy_lstm_from_torch
from lstm_course.lstm.gradcheck import numeric_gradient, rel_error
from lstm_course.lstm.numpy_lstm import NumpyLSTM

N_CONFIGS = 120
FORWARD_TOL = 1e-12
GRAD_TOL = 1e-9


def draw_config(seed: int) -> dict:
    """A random configuration; every fifth has T = 1, every seventh is unbatched, about half of those with
    hidden_size >= 2 have a projection (proj_size in [1, hidden_size - 1]), the others proj_size = 0."""
    rng = np.random.default_rng(seed)
    cfg = dict(
        input_size=int(rng.integers(1, 6)), hidden_size=int(rng.integers(1, 7)), num_layers=int(rng.integers(1, 4)),
        bias=bool(rng.integers(2)), batch_first=bool(rng.integers(2)), bidirectional=bool(rng.integers(2)),
        T=1 if seed % 5 == 0 else int(rng.integers(2, 9)), B=int(rng.integers(1, 5)), unbatched=seed % 7 == 3,
        with_state=bool(rng.integers(2)), with_state_grads=bool(rng.integers(2)),
    )
    projected = cfg["hidden_size"] > 1 and bool(rng.integers(2))
    cfg["proj_size"] = int(rng.integers(1, cfg["hidden_size"])) if projected else 0
    return cfg


def projected_config(num_layers: int, bidirectional: bool, batch_first: bool, bias: bool, unbatched: bool) -> dict:
    """One combination of the module's switches, with a projection (sizes drawn from the combination)."""
    seed = 1_000 + int("".join(str(int(v)) for v in (num_layers, bidirectional, batch_first, bias, unbatched)))
    rng = np.random.default_rng(seed)
    H = int(rng.integers(2, 7))
    return dict(input_size=int(rng.integers(1, 6)), hidden_size=H, num_layers=num_layers, bias=bias,
                batch_first=batch_first, bidirectional=bidirectional, T=int(rng.integers(1, 7)),
                B=int(rng.integers(1, 4)), unbatched=unbatched, with_state=bool(rng.integers(2)),
                with_state_grads=True, proj_size=int(rng.integers(1, H)), seed=seed)


def compare_with_torch(seed: int, cfg: dict | None = None) -> tuple[float, float]:
    """Run one configuration (``draw_config(seed)`` unless given) in NumPy and torch;
    return (forward max diff, worst gradient rel error)."""
    cfg = draw_config(seed) if cfg is None else cfg
    rng = np.random.default_rng(10_000 + seed)
    torch.manual_seed(seed)
    module = torch.nn.LSTM(cfg["input_size"], cfg["hidden_size"], cfg["num_layers"], bias=cfg["bias"],
                           batch_first=cfg["batch_first"], bidirectional=cfg["bidirectional"],
                           proj_size=cfg["proj_size"], dtype=torch.float64)
    net = numpy_lstm_from_torch(module)
    assert net.proj_size == cfg["proj_size"]
    T, B, D, H = cfg["T"], cfg["B"], cfg["input_size"], cfg["hidden_size"]
    P = cfg["proj_size"] or H
    L = cfg["num_layers"] * (2 if cfg["bidirectional"] else 1)
    if cfg["unbatched"]:
        x_shape, h_shape, c_shape = (T, D), (L, P), (L, H)
    else:
        x_shape, h_shape, c_shape = ((B, T, D) if cfg["batch_first"] else (T, B, D)), (L, B, P), (L, B, H)
    x = torch.tensor(rng.normal(size=x_shape), requires_grad=True)
    h0 = torch.tensor(rng.normal(size=h_shape), requires_grad=True)
    c0 = torch.tensor(rng.normal(size=c_shape), requires_grad=True)
    if cfg["with_state"]:
        out_t, (h_n_t, c_n_t) = module(x, (h0, c0))
        out, (h_n, c_n) = net(x.detach().numpy(), (h0.detach().numpy(), c0.detach().numpy()))
    else:
        out_t, (h_n_t, c_n_t) = module(x)
        out, (h_n, c_n) = net(x.detach().numpy())
    for got, ref in ((out, out_t), (h_n, h_n_t), (c_n, c_n_t)):
        assert got.shape == tuple(ref.shape) and got.dtype == np.float64
    fwd = max(float(np.abs(got - ref.detach().numpy()).max()) for got, ref in ((out, out_t), (h_n, h_n_t), (c_n, c_n_t)))

    d_out = rng.normal(size=out.shape)
    d_h_n, d_c_n = (rng.normal(size=h_n.shape), rng.normal(size=c_n.shape)) if cfg["with_state_grads"] else (None, None)
    loss = (out_t * torch.from_numpy(d_out)).sum()
    if d_h_n is not None:
        loss = loss + (h_n_t * torch.from_numpy(d_h_n)).sum() + (c_n_t * torch.from_numpy(d_c_n)).sum()
    wrt = [p for _, p in module.named_parameters()] + [x] + ([h0, c0] if cfg["with_state"] else [])
    ref = dict(zip([n for n, _ in module.named_parameters()] + ["input", "h0", "c0"],
                   torch.autograd.grad(loss, wrt)))
    grads = net.backward(d_out, d_h_n, d_c_n)
    assert list(grads) == [n for n, _ in module.named_parameters()] + ["input", "h0", "c0"]
    errors = []
    for name, r in ref.items():
        assert grads[name].shape == tuple(r.shape), name
        errors.append(rel_error(grads[name], r.numpy()))
    if not cfg["with_state"]:  # torch's default state is a constant; ours still gets its gradient
        assert grads["h0"].shape == h_shape and grads["c0"].shape == c_shape
    return fwd, max(errors)


@pytest.mark.parametrize("seed", range(N_CONFIGS))
def test_random_configuration_matches_torch(seed):
    fwd, grad = compare_with_torch(seed)
    assert fwd <= FORWARD_TOL, f"{draw_config(seed)}: forward differs by {fwd:.2e}"
    assert grad <= GRAD_TOL, f"{draw_config(seed)}: gradient relative error {grad:.2e}"


def test_configurations_cover_every_case():
    configs = [draw_config(s) for s in range(N_CONFIGS)]
    for chosen in (configs, [c for c in configs if c["proj_size"]], [c for c in configs if not c["proj_size"]]):
        for key in ("bias", "batch_first", "bidirectional", "unbatched", "with_state", "with_state_grads"):
            assert {c[key] for c in chosen} == {True, False}, key
        assert {c["num_layers"] for c in chosen} == {1, 2, 3}
        assert any(c["T"] == 1 for c in chosen) and any(c["T"] > 1 for c in chosen)
    assert {c["proj_size"] for c in configs} >= {0, 1, 2, 3, 4}


SWITCHES = list(itertools.product((1, 2, 3), (False, True), (False, True), (False, True), (False, True)))


@pytest.mark.parametrize("num_layers, bidirectional, batch_first, bias, unbatched", SWITCHES)
def test_every_combination_with_a_projection_matches_torch(num_layers, bidirectional, batch_first, bias, unbatched):
    cfg = projected_config(num_layers, bidirectional, batch_first, bias, unbatched)
    fwd, grad = compare_with_torch(cfg["seed"], cfg)
    assert fwd <= FORWARD_TOL, f"{cfg}: forward differs by {fwd:.2e}"
    assert grad <= GRAD_TOL, f"{cfg}: gradient relative error {grad:.2e}"


def finite_difference_error(proj_size: int, batch_first: bool = False) -> float:
    """The worst relative error of every gradient entry of a 2-layer bidirectional net (H = 3) against
    central differences (L(p + eps) - L(p - eps)) / (2 eps)."""
    rng = np.random.default_rng(proj_size)
    net = NumpyLSTM(2, 3, num_layers=2, bidirectional=True, batch_first=batch_first, proj_size=proj_size, seed=1)
    P, steps = proj_size or 3, ((2, 5) if batch_first else (5, 2))     # T = 5 steps, B = 2 sequences
    x, h0, c0 = rng.normal(size=(*steps, 2)), rng.normal(size=(4, 2, P)), rng.normal(size=(4, 2, 3))
    d_out, d_h, d_c = rng.normal(size=(*steps, 2 * P)), rng.normal(size=(4, 2, P)), rng.normal(size=(4, 2, 3))
    inputs = {"input": x, "h0": h0, "c0": c0}

    def loss() -> float:
        out, (h_n, c_n) = net(inputs["input"], (inputs["h0"], inputs["c0"]))
        return float((out * d_out).sum() + (h_n * d_h).sum() + (c_n * d_c).sum())

    loss()
    grads = net.backward(d_out, d_h, d_c)
    assert ("weight_hr_l1_reverse" in grads) == (proj_size > 0)
    worst = 0.0
    for name, grad in grads.items():
        arr = net.params[name] if name in net.params else inputs[name]
        worst = max(worst, rel_error(grad, numeric_gradient(loss, arr)))
    return worst


@pytest.mark.parametrize("proj_size, batch_first", [(0, False), (1, True), (2, False)])
def test_central_finite_differences(proj_size, batch_first):
    """Every gradient entry, without a projection and with one (weight_hr included), against central differences."""
    worst = finite_difference_error(proj_size, batch_first)
    assert worst < 1e-7, worst


@pytest.mark.parametrize("proj_size", [0, 5])
def test_init_like_torch_and_names(proj_size):
    net = NumpyLSTM(5, 16, num_layers=2, bidirectional=True, proj_size=proj_size, seed=0)
    module = torch.nn.LSTM(5, 16, num_layers=2, bidirectional=True, proj_size=proj_size)
    assert {n: tuple(p.shape) for n, p in module.named_parameters()} == {n: p.shape for n, p in net.params.items()}
    assert list(net.params) == [n for n, _ in module.named_parameters()]
    bound = 1 / np.sqrt(16)
    for p in net.params.values():
        assert p.dtype == np.float64 and np.abs(p).max() <= bound
        assert np.abs(p).max() > 0.8 * bound  # spread over the whole range, not a narrower one
    again = NumpyLSTM(5, 16, num_layers=2, bidirectional=True, proj_size=proj_size, seed=0)
    assert all(np.array_equal(p, again.params[n]) for n, p in net.params.items())
    assert not NumpyLSTM(5, 16, bias=False).names(0, 0)[-1].startswith("bias")


def test_trace_matches_cell_steps():
    from lstm_course.lstm.cell import lstm_cell_forward

    net = NumpyLSTM(2, 3, bidirectional=True, seed=0)
    x = np.random.default_rng(1).normal(size=(5, 2, 2))
    net(x)
    for direction, steps in ((0, range(5)), (1, reversed(range(5)))):
        trace = net.trace(0, direction)
        assert set(trace) == {"i_t", "f_t", "g_t", "o_t", "c_t", "h_t"}
        h = c = np.zeros((2, 3))
        for t in steps:
            h, c, cache = lstm_cell_forward(x[t], h, c, *net.cell_params(0, direction))
            for name in trace:
                assert np.allclose(trace[name][t], getattr(cache, name), atol=1e-14, rtol=0), (direction, t, name)


BAD_CALLS = {
    "x of 4 dimensions": (lambda net: net(np.zeros((5, 2, 3, 1))), "x must be 2-D or 3-D, got 4-D"),
    "x of 1 dimension": (lambda net: net(np.zeros(3)), "x must be 2-D or 3-D, got 1-D"),
    "wrong feature size": (lambda net: net(np.zeros((5, 2, 4))), r"input_size=3, got shape \(5, 2, 4\)"),
    "empty sequence": (lambda net: net(np.zeros((0, 2, 3))), "at least one step"),
    "NaN in x": (lambda net: net(np.full((5, 2, 3), np.nan)), "x contains NaN"),
    "h0 of the wrong shape": (lambda net: net(np.zeros((5, 2, 3)), (np.zeros((1, 2, 4)), np.zeros((2, 2, 4)))),
                              r"h0 must have shape \(2, 2, 4\), got \(1, 2, 4\)"),
    "c0 missing its batch axis": (lambda net: net(np.zeros((5, 2, 3)), (np.zeros((2, 2, 4)), np.zeros((2, 4)))),
                                  r"c0 must have shape \(2, 2, 4\), got \(2, 4\)"),
    "state not a pair": (lambda net: net(np.zeros((5, 2, 3)), np.zeros((2, 2, 4))), "state must be a pair"),
    "unbatched x, batched state": (lambda net: net(np.zeros((5, 3)), (np.zeros((2, 1, 4)), np.zeros((2, 1, 4)))),
                                   r"h0 must have shape \(2, 4\), got \(2, 1, 4\)"),
    "backward before forward": (lambda net: net.backward(np.zeros((5, 2, 4))), "needs a forward pass first"),
}


@pytest.mark.parametrize("case", BAD_CALLS)
def test_bad_inputs_have_clear_messages(case):
    call, message = BAD_CALLS[case]
    net = NumpyLSTM(3, 4, num_layers=2, seed=0)
    error = RuntimeError if case == "backward before forward" else ValueError
    with pytest.raises(error, match=message):
        call(net)


def test_bad_gradients_have_clear_messages():
    net = NumpyLSTM(3, 4, num_layers=2, bidirectional=True, seed=0)
    net(np.zeros((5, 2, 3)))
    with pytest.raises(ValueError, match=r"d_out must have shape \(5, 2, 8\), got \(5, 2, 4\)"):
        net.backward(np.zeros((5, 2, 4)))
    with pytest.raises(ValueError, match=r"d_h_n must have shape \(4, 2, 4\), got \(2, 2, 4\)"):
        net.backward(np.zeros((5, 2, 8)), np.zeros((2, 2, 4)))
    with pytest.raises(ValueError, match="d_c_n contains NaN"):
        net.backward(np.zeros((5, 2, 8)), None, np.full((4, 2, 4), np.nan))


@pytest.mark.parametrize("kwargs, message", [
    (dict(input_size=0, hidden_size=4), r"input_size must be an integer in \[1, 4096\], got 0"),
    (dict(input_size=3, hidden_size=2.5), r"hidden_size must be an integer in \[1, 4096\], got 2.5"),
    (dict(input_size=3, hidden_size=4, num_layers=0), r"num_layers must be an integer in \[1, 64\], got 0"),
    (dict(input_size=3, hidden_size=4, bidirectional="yes"), "bidirectional must be True or False, got str 'yes'"),
    (dict(input_size=3, hidden_size=4, dtype=np.int64), "dtype must be np.float64 or np.float32, got <class 'numpy.int64'>"),
])
def test_bad_constructor_arguments(kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message):
        NumpyLSTM(**kwargs)


def test_trace_with_a_projection_names_both_outputs():
    """With proj_size the trace adds m_t = o_t * tanh(c_t) (H features); h_t = W_hr m_t (proj_size features)."""
    net = NumpyLSTM(2, 4, num_layers=2, bidirectional=True, batch_first=True, proj_size=3, seed=0)
    x = np.random.default_rng(1).normal(size=(2, 5, 2))
    out, _ = net(x)
    for layer, direction in itertools.product(range(2), range(2)):
        trace = net.trace(layer, direction)
        assert trace["m_t"].shape == (5, 2, 4) and trace["h_t"].shape == (5, 2, 3)
        assert np.allclose(trace["m_t"], trace["o_t"] * np.tanh(trace["c_t"]), atol=1e-15, rtol=0)
        assert np.allclose(trace["h_t"], trace["m_t"] @ net.projection(layer, direction).T, atol=1e-15, rtol=0)
    assert np.array_equal(out[..., 3:].transpose(1, 0, 2), net.trace(1, 1)["h_t"])   # the last layer's reverse half
    assert net.projection() is not None and NumpyLSTM(2, 4).projection() is None
