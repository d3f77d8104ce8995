"""How far back does a gradient reach? Measured with autograd for RNN, GRU and LSTM (notebook 04).

Take a loss at the last step, L = w · h_T, and ask how large its gradient
with respect to an earlier state is, as a function of the distance
k = T - t. Notebook 03 derives the two chains of Jacobians:

- tanh RNN:  dh_t/dh_{t-1} = diag(1 - h_t^2) W_hh, so the gradient is a
  product of k such factors and shrinks about geometrically when W_hh is
  small (torch's default initialisation gives it a spectral radius of
  about 0.6 for H = 32);
- LSTM:      dc_t/dc_{t-1} = diag(f_t) plus indirect paths through h, so
  the cell state's gradient is multiplied by the forget gate each step,
  and a forget-gate bias b sets f ≈ sigmoid(b) at initialisation.

``gradient_flow`` measures the curves (float64, so that 1e-60 does not
underflow), ``gradient_flow_view`` draws them for the slider panel, and
``check_forget_scaling`` is the exercise's checker.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from torch import nn

from .activations import sigmoid
from .adding_problem import adding_batch, check_kind, make_recurrent
from .exercises import CheckResult, call_learner
from .playgrounds import View, figure_png, readout_table
from .validate import check_in_range, check_int

COLORS = {"rnn": "#dc2626", "gru": "#7c3aed", "lstm": "#2563eb"}


def set_forget_bias(lstm: nn.LSTM, value: float) -> nn.LSTM:
    """Make the LSTM's forget-gate bias ``value`` for every unit and layer; returns ``lstm``.

    torch stacks the biases in the order (i, f, g, o), so the forget block
    is rows H:2H of ``bias_ih`` and ``bias_hh``. Their sum is what counts:
    we write ``value`` into ``bias_ih`` and 0 into ``bias_hh``.
    """
    if not isinstance(lstm, nn.LSTM):
        raise ValueError(f"set_forget_bias needs a torch.nn.LSTM, got {type(lstm).__name__}")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"forget bias must be a finite number, got {value!r}")
    H = lstm.hidden_size
    with torch.no_grad():
        for layer in range(lstm.num_layers):
            getattr(lstm, f"bias_ih_l{layer}")[H:2 * H] = value
            getattr(lstm, f"bias_hh_l{layer}")[H:2 * H] = 0.0
    return lstm


@dataclass(frozen=True)
class Flow:
    """Gradient norms by distance k = 0..T-1 from the last step, averaged over the batch.

    ``norms[k]`` (T,) is the mean over examples of ||dL/ds_{T-k}||, where s
    is the state the loss reads (``state``: 'h', or 'c' for an LSTM's cell
    state); ``ratio`` divides by the value at k = 0. ``module`` is the
    measured layer, to inspect its weights.
    """

    kind: str
    state: str
    norms: np.ndarray
    module: nn.Module = field(repr=False)

    @property
    def ratio(self) -> np.ndarray:
        return self.norms / self.norms[0]


def state_gradients(module: nn.RNN | nn.GRU | nn.LSTM, x: torch.Tensor, readout: torch.Tensor,
                    state: str = "h") -> np.ndarray:
    """Norms of dL/ds_t for L = sum over the batch of readout · s_T, with s = h_t or (LSTM) c_t.

    ``module`` is batch_first with one layer; x is (B, T, D) and readout (H,).
    The sequence runs one step at a time so that every state is a tensor
    autograd can report on. Returns (T,) indexed by distance k = T - t.
    """
    lstm = isinstance(module, nn.LSTM)
    if state not in ("h", "c") or (state == "c" and not lstm):
        raise ValueError(f"state must be 'h' (or 'c' for an LSTM), got {state!r} for {type(module).__name__}")
    B, T, _ = x.shape
    H = module.hidden_size
    if readout.shape != (H,):
        raise ValueError(f"readout must have shape ({H},), got {tuple(readout.shape)}")
    h = torch.zeros(1, B, H, dtype=x.dtype)
    carry = (h, torch.zeros_like(h)) if lstm else h
    kept = []                                   # s_1 .. s_T, each (1, B, H)
    for t in range(T):
        _, carry = module(x[:, t:t + 1], carry)
        s = carry[state == "c"] if lstm else carry
        s.retain_grad()
        kept.append(s)
    (kept[-1][0] @ readout).sum().backward()
    return torch.stack([s.grad[0] for s in reversed(kept)]).norm(dim=-1).mean(dim=-1).numpy()


def gradient_flow(kind: str, T: int = 100, hidden: int = 32, forget_bias: float | None = None,
                  state: str = "h", batch: int = 16, seed: int = 0) -> Flow:
    """Measure how dL/ds shrinks with distance for a freshly initialised ``kind`` on adding-problem inputs.

    The weights come from ``torch.manual_seed(seed)`` and the inputs from a
    generator seeded with ``seed``, so every kind sees the same data.
    ``forget_bias`` (LSTM only) overrides torch's default forget-gate bias;
    ``state`` is 'h', or 'c' for the LSTM's cell state.
    """
    check_kind(kind)
    T, hidden = check_int("T", T, 2, 2000), check_int("hidden", hidden, 1)
    if forget_bias is not None and kind != "lstm":
        raise ValueError(f"forget_bias only applies to kind 'lstm', got kind {kind!r}")
    x, _ = adding_batch(T, check_int("batch", batch, 1), torch.Generator().manual_seed(check_int("seed", seed, 0)))
    torch.manual_seed(seed)
    module = make_recurrent(kind, 2, hidden, dtype=torch.float64)
    if forget_bias is not None:
        set_forget_bias(module, forget_bias)
    readout = torch.randn(hidden, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    return Flow(kind, state, state_gradients(module, x.double(), readout, state), module)


def plot_flows(ax: Axes, flows: dict[str, Flow]) -> None:
    """Each named flow's ratio ||dL/dh_{T-k}|| / ||dL/dh_T|| against k, on a log scale."""
    for label, flow in flows.items():
        ax.semilogy(np.arange(len(flow.norms)), flow.ratio, label=label, color=COLORS.get(flow.kind), lw=2)
    ax.set_xlabel("distance k from the last step")
    ax.set_ylabel(r"$\|\partial L/\partial h_{T-k}\| \,/\, \|\partial L/\partial h_T\|$")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8)


def gradient_flow_view(T: int, forget_bias: float, hidden: int = 32) -> View:
    """The panel's view: RNN, GRU and LSTM (forget-gate bias ``forget_bias``) gradient curves over T steps.

    ``values`` holds each curve's ratio at the farthest distance k = T - 1,
    and the LSTM's initial forget gate sigmoid(forget_bias).
    """
    T = check_int("T", T, 2, 400)
    forget_bias = check_in_range("forget_bias", forget_bias, -10.0, 10.0)
    flows = {"tanh RNN": gradient_flow("rnn", T, hidden), "GRU": gradient_flow("gru", T, hidden),
             f"LSTM, forget bias {forget_bias:g}": gradient_flow("lstm", T, hidden, forget_bias)}
    fig = Figure(figsize=(7.5, 3.6), layout="constrained")
    ax = fig.add_subplot()
    plot_flows(ax, flows)
    ax.set_title(f"gradient reaching back over T = {T} steps (at initialisation)")
    rnn, gru, lstm = (f.ratio[-1] for f in flows.values())
    f0 = float(sigmoid(forget_bias))
    values = {"T": float(T), "forget_bias": forget_bias, "forget_gate": f0,
              "rnn_ratio": float(rnn), "gru_ratio": float(gru), "lstm_ratio": float(lstm)}
    rows = [("f", "sigmoid(forget bias)", f0)] + [
        (name, f"ratio at k = {T - 1}, log10", math.log10(max(v, 1e-300)))
        for name, v in (("RNN", rnn), ("GRU", gru), ("LSTM", lstm))]
    return View(figure_png(fig), readout_table(rows), values)


# ---------------------------------------------------------------- the exercise

def constant_forget_ratio(forget_bias: float, k: int, hidden: int = 4, seed: int = 0) -> float:
    """Measured ||dL/dc_{T-k}|| / ||dL/dc_T|| in an LSTM whose forget gate is held at sigmoid(forget_bias).

    The LSTM's recurrent weights and the forget gate's input weights are
    zero, so f_t = sigmoid(forget_bias) at every step and no path runs
    through h: only the cell-state chain dc_t/dc_{t-1} = f_t is left.
    Measured with autograd in float64 over a sequence of k + 1 steps.
    """
    forget_bias = check_in_range("forget_bias", forget_bias, -10.0, 10.0)
    k = check_int("k", k, 0, 500)
    torch.manual_seed(seed)
    lstm = make_recurrent("lstm", 3, hidden, dtype=torch.float64)
    with torch.no_grad():
        lstm.weight_hh_l0.zero_()
        lstm.weight_ih_l0[hidden:2 * hidden] = 0.0
    set_forget_bias(lstm, forget_bias)
    x = torch.randn(1, k + 1, 3, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    norms = state_gradients(lstm, x, torch.ones(hidden, dtype=torch.float64), state="c")
    return float(norms[k] / norms[0])


def check_forget_scaling(predict: Callable[[float, int], float]) -> CheckResult:
    """Check ``predict(forget_bias, k)``: the ratio ||dL/dc_{T-k}|| / ||dL/dc_T|| with a constant forget gate.

    Each prediction is compared with ``constant_forget_ratio`` measured by
    autograd; a wrong answer is matched against the usual slips.
    """
    title = "gradient through a constant forget gate"
    if not callable(predict):
        raise ValueError(f"predict must be a function, got {type(predict).__name__}")
    slips = [
        ("the gate is sigmoid(b), not b itself", lambda b, k: b ** k),
        ("the factors multiply along the chain: a power of f, not f times k", lambda b, k: sigmoid(b) * k),
        ("k steps back means exactly k factors of f, not k + 1", lambda b, k: sigmoid(b) ** (k + 1)),
        ("k steps back means exactly k factors of f, not k - 1", lambda b, k: sigmoid(b) ** (k - 1)),
    ]
    for b, k in ((2.0, 1), (0.0, 5), (1.0, 10), (2.0, 30), (-1.0, 3), (3.0, 0)):
        measured = constant_forget_ratio(b, k)
        out, failed = call_learner(title, predict, b, k)
        if failed is not None:
            return failed
        try:
            got = float(out)
        except (TypeError, ValueError):
            return CheckResult(title, False, [f"return one number, got {type(out).__name__}: {out!r}"])
        if math.isclose(got, measured, rel_tol=1e-9, abs_tol=1e-300):
            continue
        hints = [hint for hint, slip in slips if math.isclose(got, slip(b, k), rel_tol=1e-9)]
        hint = f" Hint: {hints[0]}." if hints else " Hint: follow dc_t/dc_(t-1) = f_t back k steps."
        return CheckResult(title, False, [f"forget bias {b:g}, k = {k}: you predict {got:.6g}, "
                                          f"autograd measures {measured:.6g}.{hint}"])
    return CheckResult(title, True)
