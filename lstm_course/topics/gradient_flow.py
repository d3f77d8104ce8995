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
underflow, and norms scaled before squaring, so that 1e-300 does not
either), ``classroom.panels.gradient_flow_view`` draws them, and
``constant_forget_ratio`` is what the exercise's checker measures against.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from ..torchkit import check_kind, make_recurrent, seed_everything, set_forget_bias
from ..validate import SEED_MAX, as_tensor, check_choice, check_in_range, check_instance, check_int, check_real
from .adding_problem import adding_batch

MAX_HIDDEN, MAX_BATCH = 1024, 1024   # one step at a time with every state kept: keep the graph small


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

    ``module`` is batch_first with one layer; x is (B, T, D) and readout (H),
    both of the module's dtype. The sequence runs one step at a time so that
    every state is a tensor autograd can report on. Returns (T,) indexed by
    distance k = T - t.
    """
    check_instance("module", module, (nn.RNN, nn.GRU, nn.LSTM), "a torch.nn.RNN, GRU or LSTM")
    if not module.batch_first or module.num_layers != 1 or module.bidirectional:
        raise ValueError(f"module must be one batch_first, unidirectional layer, got {module!r}")
    lstm = isinstance(module, nn.LSTM)
    if check_choice("state", state, ("h", "c")) == "c" and not lstm:
        raise ValueError(f"state must be 'h' (or 'c' for an LSTM), got {state!r} for {type(module).__name__}")
    dtype = module.weight_hh_l0.dtype
    x, readout = as_tensor("x", x, ndim=3, dtype=dtype), as_tensor("readout", readout, ndim=1, dtype=dtype)
    B, T, D = x.shape
    H = module.hidden_size
    if D != module.input_size:
        raise ValueError(f"x must have {module.input_size} features on its last axis, got shape {tuple(x.shape)}")
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
    grads = torch.stack([s.grad[0] for s in reversed(kept)])          # (T, B, H), by distance k
    return _norms(grads).mean(dim=-1).numpy()


def _norms(g: torch.Tensor) -> torch.Tensor:
    """||g|| over the last axis without underflow: scaled by the largest entry before squaring.

    A plain norm squares the entries, and a float64 square of 1e-162 is
    already below the smallest float; divided by its largest entry, every
    row squares numbers in [0, 1], so a norm of 1e-300 comes out as 1e-300.
    """
    scale = g.abs().amax(dim=-1, keepdim=True)
    return (g / torch.where(scale > 0, scale, 1.0)).norm(dim=-1) * scale[..., 0]


def gradient_flow(kind: str, T: int = 100, hidden: int = 32, forget_bias: float | None = None,
                  state: str = "h", batch: int = 16, seed: int = 0) -> Flow:
    """Measure how dL/ds shrinks with distance for a freshly initialised ``kind`` on adding-problem inputs.

    The weights come from ``torch.manual_seed(seed)`` and the inputs from a
    generator seeded with ``seed``, so every kind sees the same data.
    ``forget_bias`` (LSTM only) overrides torch's default forget-gate bias;
    ``state`` is 'h', or 'c' for the LSTM's cell state.
    """
    check_kind(kind)
    T, hidden = check_int("T", T, 2, 2000), check_int("hidden", hidden, 1, MAX_HIDDEN)
    if forget_bias is not None:
        forget_bias = check_real("forget_bias", forget_bias, -100.0, 100.0)
    if forget_bias is not None and kind != "lstm":
        raise ValueError(f"forget_bias only applies to kind 'lstm', got kind {kind!r}")
    check_choice("state", state, ("h", "c"))
    seed = check_int("seed", seed, 0, SEED_MAX)
    x, _ = adding_batch(T, check_int("batch", batch, 1, MAX_BATCH), torch.Generator().manual_seed(seed))
    seed_everything(seed, torch.device("cpu"))
    module = make_recurrent(kind, 2, hidden, dtype=torch.float64)
    if forget_bias is not None:
        set_forget_bias(module, forget_bias)
    readout = torch.randn(hidden, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    return Flow(kind, state, state_gradients(module, x.double(), readout, state), module)


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
    hidden, seed = check_int("hidden", hidden, 1, MAX_HIDDEN), check_int("seed", seed, 0, SEED_MAX)
    seed_everything(seed, torch.device("cpu"))
    lstm = make_recurrent("lstm", 3, hidden, dtype=torch.float64)
    with torch.no_grad():
        lstm.weight_hh_l0.zero_()
        lstm.weight_ih_l0[hidden:2 * hidden] = 0.0
    set_forget_bias(lstm, forget_bias)
    x = torch.randn(1, k + 1, 3, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    norms = state_gradients(lstm, x, torch.ones(hidden, dtype=torch.float64), state="c")
    return float(norms[k] / norms[0])
