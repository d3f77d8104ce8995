"""The course's small torch toolkit: devices and seeds, one model with a linear head, one training loop, one timer.

Every topic module that trains or times a torch model uses these, so each
idea has one home:

- ``pick_device``, ``seed_everything``, ``cpu_threads``: where a model runs
  and how to make a run repeatable;
- ``make_recurrent`` and ``RecurrentRegressor``: an ``nn.RNN``, ``nn.GRU`` or
  ``nn.LSTM`` (batch_first) read out by a linear head at the last step;
- ``set_forget_bias``: the LSTM's forget-gate bias, one meaning everywhere;
- ``optimizer_step``, ``shuffled_batches``, ``train_epoch``, ``mean_loss``:
  the mini-batch loop where the loop is not the lesson;
- ``best_times``: the fastest of several timed runs, interleaved; ``cpu_model``: the CPU's name for the report;
- ``spread``: a figure over seeds as mean, standard deviation, min and max.

``pick_device("auto")`` takes the first of cuda, mps, cpu that this machine
has. Asking for a device that is not there is a ``ValueError``, never a
silent fall-back to the CPU.

Reproducibility, honestly:

- CPU: a seeded run is repeatable bit for bit on the same machine, torch
  version and thread count (``torch.set_num_threads``).
- CUDA: cuDNN's LSTM and cuBLAS may pick non-deterministic kernels.
  ``seed_everything`` sets ``torch.backends.cudnn.deterministic = True``,
  ``benchmark = False`` and ``CUBLAS_WORKSPACE_CONFIG=:4096:8``; the last
  one only counts if it is set before the process first uses cuBLAS, so set
  it in the shell (``export CUBLAS_WORKSPACE_CONFIG=:4096:8``) to be sure.
  Even then a GPU run repeats itself only on the same GPU, driver and
  library versions, and it does not match the CPU's numbers bit for bit
  (different kernels sum in a different order).
- MPS: seeded, but Apple does not promise deterministic kernels.
"""

from __future__ import annotations

import os
import platform
import time
from contextlib import contextmanager
from typing import Callable, Iterator

import numpy as np
import torch
from torch import nn

from . import validate
from .validate import SEED_MAX, as_tensor, check_callable, check_choice, check_instance, check_int, check_real, check_size

DEVICES = ("auto", "cpu", "cuda", "mps")


def _mps_available() -> bool:
    return bool(getattr(torch.backends, "mps", None) and torch.backends.mps.is_available())


def available_devices() -> list[str]:
    """The device types this machine can use, best first, e.g. ``['cuda', 'cpu']``."""
    found = ["cuda"] if torch.cuda.is_available() else []
    return found + (["mps"] if _mps_available() else []) + ["cpu"]


def pick_device(name: str | torch.device = "auto") -> torch.device:
    """``'auto'`` -> cuda, then mps, then cpu; ``'cpu'``, ``'cuda'``, ``'mps'`` (or a torch.device) as given.

    Raises ``ValueError`` for an unknown name or a device this machine lacks.
    """
    if isinstance(name, torch.device):
        kind = name.type
    elif isinstance(name, str):
        kind = name.split(":")[0]
    else:
        raise TypeError(f"device must be one of {DEVICES} or a torch.device, got {type(name).__name__} {name!r}")
    if kind == "auto":
        return torch.device(available_devices()[0])
    if kind not in DEVICES:
        raise ValueError(f"device must be one of {DEVICES}, got {name!r}")
    if kind not in available_devices():
        raise ValueError(f"device {name!r} was asked for but this machine has none; "
                         f"available: {available_devices()}")
    try:
        return torch.device(name)
    except RuntimeError:
        raise ValueError(f"device must be one of {DEVICES}, optionally with an index like 'cuda:0', "
                         f"got {name!r}") from None


def seed_everything(seed: int, device: torch.device) -> None:
    """Seed torch's generators and, on CUDA, ask cuDNN and cuBLAS for deterministic kernels.

    ``seed`` is an integer in [0, 2**32 - 1]; ``device`` a ``torch.device`` (from ``pick_device``).
    """
    seed = check_int("seed", seed, 0, SEED_MAX)
    check_instance("device", device, torch.device, "a torch.device (use pick_device)")
    torch.manual_seed(seed)
    if device.type == "cuda":
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
        torch.backends.cudnn.deterministic = True
        torch.backends.cudnn.benchmark = False


@contextmanager
def cpu_threads(n: int) -> Iterator[None]:
    """Run the block with ``torch.set_num_threads(n)``, then put the previous count back (even on an error)."""
    n = check_int("n", n, 1, 1024)
    saved = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(saved)


# ---------------------------------------------------------------- forget-gate bias

def set_forget_bias(lstm: nn.LSTM, value: float) -> nn.LSTM:
    """Make the forget gate's bias exactly ``value`` in every unit, layer and direction; returns ``lstm``.

    torch stacks the biases in the order (i, f, g, o), so the forget block
    is rows H:2H of ``bias_ih`` and ``bias_hh``, and only their sum reaches
    the gate: ``value`` is written into ``bias_ih`` and 0 into ``bias_hh``.
    With input and state at zero the forget gate is then sigmoid(value).
    """
    check_instance("lstm", lstm, nn.LSTM, "a torch.nn.LSTM")
    value = check_real("value", value, -100.0, 100.0)
    if not lstm.bias:
        raise ValueError("lstm has no biases (bias=False): there is no forget-gate bias to set")
    H = lstm.hidden_size
    suffixes = ("", "_reverse") if lstm.bidirectional else ("",)
    with torch.no_grad():
        for layer in range(lstm.num_layers):
            for suffix in suffixes:
                getattr(lstm, f"bias_ih_l{layer}{suffix}")[H:2 * H] = value
                getattr(lstm, f"bias_hh_l{layer}{suffix}")[H:2 * H] = 0.0
    return lstm


# ---------------------------------------------------------------- one model with a linear head

RECURRENT = {"rnn": nn.RNN, "gru": nn.GRU, "lstm": nn.LSTM}
KINDS = tuple(RECURRENT)
FLOAT_DTYPES = (torch.float32, torch.float64, torch.float16, torch.bfloat16)


def check_kind(kind: str) -> str:
    """Return ``kind`` if it is one of ``KINDS`` ('rnn', 'gru', 'lstm'); else raise ``ValueError``."""
    return check_choice("kind", kind, KINDS)


def check_generator(generator) -> torch.Generator:
    """Return ``generator`` if it is a ``torch.Generator``; else raise ``TypeError``."""
    return check_instance("generator", generator, torch.Generator,
                          "a torch.Generator (e.g. torch.Generator().manual_seed(0))")


def make_recurrent(kind: str, input_size: int, hidden: int, num_layers: int = 1,
                   dtype: torch.dtype = torch.float32) -> nn.RNN | nn.GRU | nn.LSTM:
    """``num_layers`` recurrent layers of ``kind`` ('rnn' is tanh), batch_first, torch's default initialisation."""
    check_kind(kind)
    check_choice("dtype", dtype, FLOAT_DTYPES)
    D, H = check_int("input_size", input_size, 1, 100_000), check_int("hidden", hidden, 1, 100_000)
    L = check_int("num_layers", num_layers, 1, 64)
    blocks = {"rnn": 1, "gru": 3, "lstm": 4}[kind]             # weight blocks stacked in W_ih and W_hh
    weights = blocks * H * (D + H + 2) + (L - 1) * blocks * H * (2 * H + 2)
    check_size("input_size, hidden and num_layers", weights, validate.MAX_PARAMETERS, validate.MAX_PARAMETERS_WHY)
    return RECURRENT[kind](D, H, L, batch_first=True, dtype=dtype)


class RecurrentRegressor(nn.Module):
    """A recurrent network read out by a linear head at the last step: x (B, T, D) -> (B, out_size).

    ``y = y_mean + y_std * (head(h_T(x - x_shift)) + highway(last k steps of x - x_shift))``: the defaults (0, 0, 1)
    leave input and output alone; a task whose inputs or targets are far from
    zero mean and unit scale passes its training statistics. ``forget_bias``
    (LSTM only) sets the forget gates' bias with ``set_forget_bias``.

    ``highway = k > 0`` adds a linear autoregressive path beside the network, a
    ``nn.Linear(k * D, out_size)`` on the last k input steps, as LSTNet does
    (Lai, Chang, Yang & Liu 2018): the linear part forecasts, the network learns
    what a linear filter cannot. ``highway = 0`` (the default) is the plain model.
    """

    def __init__(self, kind: str = "lstm", input_size: int = 1, hidden: int = 32, num_layers: int = 1,
                 out_size: int = 1, x_shift: float = 0.0, y_mean: float = 0.0, y_std: float = 1.0,
                 forget_bias: float | None = None, highway: int = 0):
        super().__init__()
        self.rnn = make_recurrent(kind, input_size, hidden, num_layers)
        self.head = nn.Linear(hidden, check_int("out_size", out_size, 1, 100_000))
        self.highway_steps = check_int("highway", highway, 0, 100_000)
        self.highway = nn.Linear(highway * input_size, out_size) if highway else None
        self.x_shift = check_real("x_shift", x_shift)
        self.y_mean = check_real("y_mean", y_mean)
        self.y_std = check_real("y_std", y_std, 1e-12, 1e12)
        if forget_bias is not None:
            if kind != "lstm":
                raise ValueError(f"forget_bias only applies to kind 'lstm', got kind {kind!r}")
            set_forget_bias(self.rnn, forget_bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (B, T, D) with B, T >= 1, in the weights' dtype (other floats are converted) -> (B, out_size)."""
        check_instance("x", x, torch.Tensor, f"a torch.Tensor of shape (batch, steps, {self.rnn.input_size})")
        x = as_tensor("x", x, ndim=3, dtype=self.head.weight.dtype)
        if x.shape[-1] != self.rnn.input_size or 0 in x.shape:
            raise ValueError(f"x must be a tensor of shape (batch, steps, {self.rnn.input_size}) with batch >= 1 "
                             f"and steps >= 1, got shape {tuple(x.shape)}")
        if x.shape[1] < self.highway_steps:
            raise ValueError(f"x must have at least highway = {self.highway_steps} steps, got {x.shape[1]}")
        x = x - self.x_shift
        out, _ = self.rnn(x)                                     # (B, T, H): the top layer at every step
        y = self.head(out[:, -1])                                # read only the last step: many-to-one
        if self.highway is not None:                             # + the linear autoregression on the last k steps
            y = y + self.highway(x[:, -self.highway_steps:].flatten(1))
        return self.y_mean + self.y_std * y


# ---------------------------------------------------------------- the training loop

def optimizer_step(optimizer: torch.optim.Optimizer, loss: torch.Tensor, clip: float | None = None) -> float:
    """Back-propagate ``loss`` (a scalar tensor), clip the gradient norm to ``clip`` if given, take one step; returns the loss."""
    check_instance("optimizer", optimizer, torch.optim.Optimizer, "a torch.optim.Optimizer")
    check_instance("loss", loss, torch.Tensor, "a scalar torch.Tensor")
    if loss.numel() != 1 or not loss.requires_grad:
        raise ValueError(f"loss must be a scalar tensor that requires grad, got shape {tuple(loss.shape)}, "
                         f"requires_grad={loss.requires_grad}")
    if clip is not None:
        clip = check_real("clip", clip, 1e-12)
    optimizer.zero_grad()
    loss.backward()
    if clip is not None:
        params = [p for group in optimizer.param_groups for p in group["params"]]
        nn.utils.clip_grad_norm_(params, clip)
    optimizer.step()
    return loss.item()


def shuffled_batches(n: int, batch_size: int, generator: torch.Generator) -> Iterator[torch.Tensor]:
    """Indices 0..n-1 in a seeded random order, cut into mini-batches of ``batch_size`` (the last may be smaller).

    The arguments are checked at the call, before the first batch is asked for.
    """
    n, batch_size = check_int("n", n, 1, 10**9), check_int("batch_size", batch_size, 1, 10**9)
    check_generator(generator)
    return _batches(torch.randperm(n, generator=generator), batch_size)


def _batches(order: torch.Tensor, batch_size: int) -> Iterator[torch.Tensor]:
    for k in range(0, len(order), batch_size):
        yield order[k:k + batch_size]


def _check_data(model, loss_fn, X, y) -> None:
    """The shared checks of ``train_epoch`` and ``mean_loss``: a module, a loss function, X and y of one length,
    and y shaped like the model's prediction (a (N,) target against a (N, 1) prediction would broadcast);
    integer y holds class labels: the prediction's shape without its last axis (the class scores)."""
    check_instance("model", model, nn.Module, "a torch.nn.Module")
    check_callable("loss_fn", loss_fn)
    check_instance("X", X, torch.Tensor, "a torch.Tensor")
    check_instance("y", y, torch.Tensor, "a torch.Tensor")
    if X.dim() == 0 or y.dim() == 0 or len(X) != len(y) or len(X) == 0:
        raise ValueError(f"X and y must hold the same number (at least 1) of examples along their first axis, "
                         f"got shapes {tuple(X.shape)} and {tuple(y.shape)}")
    first = predict(model, X[:1]).shape[1:]
    if y.is_floating_point() and y.shape[1:] != first:
        raise ValueError(f"y must have the shape of the model's prediction (N, {', '.join(map(str, first))}), "
                         f"got {tuple(y.shape)}")
    if not y.is_floating_point() and y.shape[1:] != first[:-1]:       # class labels index the last axis
        raise ValueError(f"y (class labels) must have the prediction's shape without its last (class) axis, "
                         f"(N, {', '.join(map(str, first[:-1]))}), got {tuple(y.shape)}")


@torch.no_grad()
def predict(model: nn.Module, X: torch.Tensor) -> torch.Tensor:
    """``model(X)`` in evaluation mode and without gradients; the model's mode is put back afterwards."""
    check_instance("model", model, nn.Module, "a torch.nn.Module")
    check_instance("X", X, torch.Tensor, "a torch.Tensor")
    was_training = model.training
    model.eval()
    try:
        return model(X)
    finally:
        model.train(was_training)


def train_epoch(model: nn.Module, loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor], X: torch.Tensor,
                y: torch.Tensor, optimizer: torch.optim.Optimizer, batch_size: int, generator: torch.Generator,
                clip: float | None = None) -> float:
    """One pass over (X, y) in shuffled mini-batches, one optimizer step each; returns the mean loss per example.

    X (N, ...), y (N, ...) on the model's device; ``loss_fn(prediction, target)`` returns a scalar mean.
    """
    _check_data(model, loss_fn, X, y)
    batches = shuffled_batches(len(X), batch_size, generator)
    model.train()
    total = 0.0
    for batch in batches:
        total += optimizer_step(optimizer, loss_fn(model(X[batch]), y[batch]), clip) * len(batch)
    return total / len(X)


def mean_loss(model: nn.Module, loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor], X: torch.Tensor,
              y: torch.Tensor) -> float:
    """``loss_fn(model(X), y)`` in evaluation mode, without gradients (``predict``): X (N, ...), y (N, ...)."""
    _check_data(model, loss_fn, X, y)
    return float(loss_fn(predict(model, X), y))


# ---------------------------------------------------------------- timing

def cpu_model() -> str:
    """The CPU's name from /proc/cpuinfo (Linux), or what the platform module says elsewhere."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"


def spread(values) -> tuple[float, float, float, float]:
    """A figure measured over seeds: ``(mean, std, min, max)``, std with n - 1 (0.0 for a single value).

    A diverged run's infinity or NaN passes through, so that it shows in the summary.
    """
    v = validate.as_real_array("values", values).astype(np.float64)
    if v.ndim != 1 or len(v) == 0:
        raise ValueError(f"values must be a 1-D list of at least one measurement, got shape {v.shape}")
    with np.errstate(invalid="ignore"):               # inf - inf in the std: NaN, said by the figure itself
        std = float(v.std(ddof=1)) if len(v) > 1 else 0.0
    return float(v.mean()), std, float(v.min()), float(v.max())


def best_times(fns: dict[str, Callable[[], object]], repeats: int = 5, warmup: int = 1) -> dict[str, float]:
    """Seconds of the fastest of ``repeats`` calls of each function, after ``warmup`` calls not counted.

    The functions take turns within each round, so a busy moment on a shared
    machine slows them alike; the minimum is the run least disturbed by
    other work. A benchmark figure, never a test's pass mark.
    """
    if not isinstance(fns, dict):
        raise TypeError(f"fns must be a dict of name -> function, got {type(fns).__name__}")
    if not fns:
        raise ValueError("fns must name at least one function to time")
    for name, fn in fns.items():
        if not callable(fn):
            raise TypeError(f"fns[{name!r}] must be a function, got {type(fn).__name__}")
    repeats, warmup = check_int("repeats", repeats, 1, 10_000), check_int("warmup", warmup, 0, 100)
    for fn in fns.values():
        for _ in range(warmup):
            fn()
    best = {name: float("inf") for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - start)
    return best
