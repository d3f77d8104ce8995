"""The adding problem (after Hochreiter & Schmidhuber, 1997): a task that needs long memory (notebook 04).

Each example is a sequence of T steps with two input channels: a value drawn
uniformly from [0, 1], and a marker that is 1 at exactly two steps and 0
elsewhere. The target is the sum of the two marked values. The first marker
lies in the first half of the sequence, so the model must carry a number
for at least T/2 steps while ignoring everything else. Always answering the
mean, 1, scores MSE = Var(u1 + u2) = 2/12 = 1/6 ≈ 0.167. Remembering only
the second value (fewer than T/2 steps back) and answering u2 + 1/2 scores
Var(u1) = 1/12 (``second_value_mse``); only a model below that has carried
the first value across the first marker's distance.

This is the common simplified variant of Hochreiter & Schmidhuber's (1997)
adding problem; theirs draws values from [-1, 1], puts the first marker in
the first 10 steps and counts a sequence as solved at |error| < 0.04.

``train`` fits an ``nn.RNN``, ``nn.GRU`` or ``nn.LSTM`` with a linear head
on its last step, seeded so that a CPU run repeats bit for bit. ``sweep``
runs several sequence lengths and models with the same budget and seeds;
``robustness`` trains a table of settings (learning rates, seeds, sizes,
initialisations, lengths); ``cost_table`` and ``parameter_count`` measure
the price of the gates. ``long_range_share`` splits an RNN's gradient by
how far back its step lies.

A second task, ``first_sign``, is a *weak* test of memory kept for honesty:
x_1 = ±1 followed by small noise, target the sign of x_1. Nothing after the
first step predicts the target, so the long-range part of the gradient has
no short-range part to compete with, and a tanh RNN latches the sign in an
attractor (Bengio, Simard & Frasconi, 1994); success there says little
about the adding problem.
"""

from __future__ import annotations

import math
import time
import warnings
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Callable, Sequence

import torch
from torch import nn
from tqdm.auto import tqdm

from ..torchkit import (
    KINDS,
    RecurrentRegressor,
    predict,
    best_times,
    check_generator,
    check_kind,
    cpu_threads,
    make_recurrent,
    mean_loss,
    optimizer_step,
    seed_everything,
)
from ..validate import (
    as_tensor,
    check_bool,
    check_choice,
    check_in_range,
    check_instance,
    check_int,
    check_real,
    check_size,
)

MEAN_MSE = 1 / 6                                # MSE of always answering 1 on the adding problem
SECOND_ONLY_MSE = 1 / 12                        # MSE of answering u2 + 1/2: remembering only the second value
INITS = ("default", "orthogonal", "identity")   # the RNN's recurrent weights W_hh at the start
TEST_SEED = 1_000_003                           # the test set's generator: the same for every model
MAX_ELEMENTS = 50_000_000                       # numbers in one batch (x holds batch * T * 2 of them)
MAX_SIZE = 2048                                 # input and hidden sizes: a layer is built for real, so it must fit
MAX_STEPS = 100_000                             # Adam steps of one run (about 1 ms each at the default size)
MAX_T = 10_000                                  # sequence length of a training run: longer takes hours


def _check_batch_size(T: int, batch: int, channels: int, name: str = "batch * T") -> None:
    check_size(name, batch * T * channels, MAX_ELEMENTS,
               "numbers: one batch must fit in memory; use fewer or shorter sequences")


# ---------------------------------------------------------------- data

def adding_batch(T: int, batch: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """A batch of the adding problem: x (batch, T, 2) float32 and y (batch, 1).

    ``x[..., 0]`` holds values uniform in [0, 1], ``x[..., 1]`` the markers:
    one at a step in [0, T//2), one in [T//2, T). ``y`` is the sum of the two
    marked values.
    """
    T, batch = check_int("T", T, 2), check_int("batch", batch, 1)
    _check_batch_size(T, batch, 2)
    generator = check_generator(generator)
    values = torch.rand(batch, T, generator=generator)
    first = torch.randint(0, T // 2, (batch,), generator=generator)
    second = torch.randint(T // 2, T, (batch,), generator=generator)
    markers = torch.zeros(batch, T)
    rows = torch.arange(batch)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    return torch.stack([values, markers], dim=-1), (values * markers).sum(dim=1, keepdim=True)


def first_sign_batch(T: int, batch: int, generator: torch.Generator,
                     noise: float = 0.1) -> tuple[torch.Tensor, torch.Tensor]:
    """The weak task: x (batch, T, 1) with x_1 = ±1 then normal(0, noise); y (batch, 1) = x_1."""
    T, batch = check_int("T", T, 2), check_int("batch", batch, 1)
    _check_batch_size(T, batch, 1)
    generator = check_generator(generator)
    noise = check_in_range("noise", noise, 0.0, 1.0)
    sign = torch.randint(0, 2, (batch, 1), generator=generator).float() * 2 - 1
    x = torch.randn(batch, T, 1, generator=generator) * noise
    x[:, 0, 0] = sign[:, 0]
    return x, sign


TASKS: dict[str, tuple[Callable, int]] = {"adding": (adding_batch, 2), "first_sign": (first_sign_batch, 1)}


# ---------------------------------------------------------------- model

def parameter_count(kind: str, input_size: int, hidden: int) -> int:
    """Number of parameters of one recurrent layer of ``kind`` (no head), counted from the module."""
    check_kind(kind)
    input_size = check_int("input_size", input_size, 1, MAX_SIZE)
    hidden = check_int("hidden", hidden, 1, MAX_SIZE)
    return sum(p.numel() for p in make_recurrent(kind, input_size, hidden).parameters())


# ---------------------------------------------------------------- training

@dataclass
class Result:
    """One training run: its setting, per-step training losses, test MSE and wall-clock seconds."""

    kind: str
    T: int
    steps: int
    task: str
    losses: list[float]
    test_mse: float
    seconds: float
    model: RecurrentRegressor = field(repr=False)


def evaluate(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    """Mean squared error of ``model`` on x (N, T, D), y (N, 1), without gradients.

    ``y`` must have exactly the shape of the model's output: a (N,) target
    would broadcast against (N, 1) into an (N, N) table and a wrong number.
    """
    x, y = as_tensor("x", x, ndim=3), as_tensor("y", y, ndim=2)
    if 0 in x.shape:
        raise ValueError(f"x must hold at least one example of at least one step, got shape {tuple(x.shape)}")
    return mean_loss(model, _mse, x, y)


def _mse(prediction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    return ((prediction - target) ** 2).mean()


def test_set(T: int, size: int = 1000, task: str = "adding") -> tuple[torch.Tensor, torch.Tensor]:
    """The fixed test set of ``task`` for length ``T``: the same examples for every model and seed."""
    make, channels = _task(task)
    T, size = check_int("T", T, 2), check_int("size", size, 1)
    _check_batch_size(T, size, channels, "size * T")
    return make(T, size, torch.Generator().manual_seed(TEST_SEED + T))


def second_value_mse(x: torch.Tensor, y: torch.Tensor) -> float:
    """MSE of the best answer that knows only the second marked value, u2 + 1/2, on adding data x (N, T, 2), y (N, 1).

    The second marker is fewer than T/2 steps before the answer; its expected
    score is Var(u1) = 1/12 (``SECOND_ONLY_MSE``), half the mean guess's 1/6.
    """
    x, y = as_tensor("x", x, ndim=3), as_tensor("y", y, ndim=2)
    if x.shape[-1] != 2 or y.shape != (x.shape[0], 1) or 0 in x.shape:
        raise ValueError(f"x must have shape (N, T, 2) and y (N, 1) with N, T >= 1, "
                         f"got {tuple(x.shape)} and {tuple(y.shape)}")
    T = x.shape[1]
    u2 = (x[:, T // 2:, 0] * x[:, T // 2:, 1]).sum(dim=1, keepdim=True)
    return float(((y - (u2 + 0.5)) ** 2).mean())


def sign_accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    """Fraction of first-sign examples x (N, T, 1), y (N, 1) whose answer has the sign of the target."""
    check_instance("model", model, nn.Module, "a torch.nn.Module")
    x, y = as_tensor("x", x, ndim=3), as_tensor("y", y, ndim=2)
    if y.shape != (x.shape[0], 1) or 0 in x.shape:
        raise ValueError(f"x must have shape (N, T, D) and y (N, 1) with N, T >= 1, "
                         f"got {tuple(x.shape)} and {tuple(y.shape)}")
    return float((torch.sign(predict(model, x)) == torch.sign(y)).float().mean())


def long_range_share(model: RecurrentRegressor, x: torch.Tensor, y: torch.Tensor, distance: int) -> float:
    """||part of dL/dW_ih from steps at least ``distance`` before the answer|| / ||all of dL/dW_ih||.

    ``model`` is an RNN ``RecurrentRegressor``, L its mean squared error on
    x (N, T, D), y (N, 1). The gradient of the input weights is a sum over
    steps, dL/dW_ih = sum_t delta_t x_t^T (delta_t: the gradient reaching the
    pre-activation of step t); this splits that sum at T - ``distance``.
    The deltas come from a twin layer fed z_t = W_ih x_t through an identity
    input matrix, so that autograd reports dL/dz_t = delta_t.
    """
    check_instance("model", model, RecurrentRegressor, "an RNN RecurrentRegressor")
    rnn = model.rnn
    if not isinstance(rnn, nn.RNN) or rnn.num_layers != 1:
        raise ValueError(f"model must hold one nn.RNN layer, got {type(rnn).__name__} with {rnn.num_layers} layer(s)")
    x, y = as_tensor("x", x, ndim=3), as_tensor("y", y, ndim=2)
    if x.shape[-1] != rnn.input_size or y.shape != (x.shape[0], 1) or 0 in x.shape:
        raise ValueError(f"x must have shape (N, T, {rnn.input_size}) and y (N, 1) with N, T >= 1, "
                         f"got {tuple(x.shape)} and {tuple(y.shape)}")
    distance = check_int("distance", distance, 1, x.shape[1] - 1)
    per_step = _input_gradient_by_step(model, x - model.x_shift, y)
    return float(per_step[:x.shape[1] - distance].sum(dim=0).norm() / per_step.sum(dim=0).norm())


def _input_gradient_by_step(model: RecurrentRegressor, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """(T, H, D): step t's part delta_t x_t^T of dL/dW_ih, for x (N, T, D) as the layer reads it."""
    rnn, H = model.rnn, model.rnn.hidden_size                                                     # what the layer reads
    twin = nn.RNN(H, H, batch_first=True)
    with torch.no_grad():
        twin.weight_ih_l0.copy_(torch.eye(H))
        for name in ("weight_hh_l0", "bias_ih_l0", "bias_hh_l0"):
            getattr(twin, name).copy_(getattr(rnn, name))
        z = (x @ rnn.weight_ih_l0.T).requires_grad_(True)                  # (N, T, H)
    out, _ = twin(z)
    loss = _mse(model.y_mean + model.y_std * model.head(out[:, -1]), y)
    (delta,) = torch.autograd.grad(loss, z)                                   # (N, T, H)
    return torch.einsum("nth,ntd->thd", delta, x)


def _task(task: str) -> tuple[Callable, int]:
    return TASKS[check_choice("task", task, tuple(TASKS))]


def train(kind: str, T: int = 50, steps: int = 1500, batch: int = 64, hidden: int = 32, lr: float = 1e-2,
          clip: float = 1.0, seed: int = 0, task: str = "adding", test_size: int = 1000,
          threads: int = 1, progress: bool = True, init: str = "default",
          forget_bias: float | None = None) -> Result:
    """Train a ``RecurrentRegressor`` of ``kind`` with Adam on fresh batches of ``task``; test on ``test_set``.

    Every model with the same ``seed`` starts from ``torch.manual_seed(seed)``
    and sees the same batches (a generator seeded with ``seed``), so runs
    repeat bit for bit on the same CPU, torch version and ``threads``.
    Gradients are clipped to norm ``clip``, the usual guard for recurrent
    nets. ``seconds`` is the training time only. ``init`` (RNN only) sets
    W_hh at the start: torch's ``'default'``, a random ``'orthogonal'``
    matrix, or the ``'identity'`` with zero biases (the initialisation of
    Le, Jaitly & Hinton's IRNN, 2015, here with tanh instead of their ReLU).
    ``forget_bias`` (LSTM only) sets the forget gates' bias.
    """
    check_kind(kind)
    make, input_size = _task(task)
    T, batch = check_int("T", T, 2, MAX_T), check_int("batch", batch, 1)
    _check_batch_size(T, batch, input_size)
    steps, threads = check_int("steps", steps, 1, MAX_STEPS), check_int("threads", threads, 1, 1024)
    hidden = check_int("hidden", hidden, 1, MAX_SIZE)
    lr, clip = check_in_range("lr", lr, 1e-8, 1.0), check_in_range("clip", clip, 1e-6, 1e6)
    progress = check_bool("progress", progress)
    if check_choice("init", init, INITS) != "default" and kind != "rnn":
        raise ValueError(f"init {init!r} only applies to kind 'rnn', got kind {kind!r}")
    if forget_bias is not None:
        forget_bias = check_real("forget_bias", forget_bias, -100.0, 100.0)
    cpu = torch.device("cpu")
    seed_everything(seed, cpu)                  # checks seed; the model's weights come from it
    x_test, y_test = test_set(T, check_int("test_size", test_size, 1, 100_000), task)
    batches = torch.Generator().manual_seed(seed)
    with cpu_threads(threads):
        model = RecurrentRegressor(kind, input_size, hidden, forget_bias=forget_bias)
        _initialise(model.rnn, init)
        optimizer = torch.optim.Adam(model.parameters(), lr=lr)
        losses = []
        start = time.perf_counter()
        bar = tqdm(range(steps), desc=f"{kind} T={T}", unit="step", disable=not progress, leave=False)
        for _ in bar:
            x, y = make(T, batch, batches)
            losses.append(optimizer_step(optimizer, _mse(model(x), y), clip))
            if len(losses) % 50 == 0:
                bar.set_postfix(loss=f"{sum(losses[-50:]) / 50:.4f}")
        seconds = time.perf_counter() - start
        test_mse = evaluate(model, x_test, y_test)
    if not math.isfinite(test_mse):
        raise FloatingPointError(f"{kind} at T={T} diverged (test MSE {test_mse}); lower lr or clip")
    return Result(kind, T, steps, task, losses, test_mse, seconds, model)


def _initialise(rnn: nn.Module, init: str) -> None:
    with torch.no_grad():
        if init == "orthogonal":
            nn.init.orthogonal_(rnn.weight_hh_l0)
        elif init == "identity":
            rnn.weight_hh_l0.copy_(torch.eye(rnn.hidden_size))
            rnn.bias_ih_l0.zero_()
            rnn.bias_hh_l0.zero_()


def sweep(Ts: Sequence[int] = (50, 100, 200), kinds: Sequence[str] = KINDS, progress: bool = True,
          **settings) -> list[Result]:
    """``train`` every kind at every length in ``Ts`` with the same budget and seeds (``settings``)."""
    check_instance("Ts", Ts, (list, tuple), "a list or tuple of sequence lengths")
    check_instance("kinds", kinds, (list, tuple), "a list or tuple of kinds")
    if not Ts or not kinds:
        raise ValueError(f"Ts and kinds must not be empty, got Ts={Ts!r}, kinds={kinds!r}")
    Ts = [check_int("Ts[]", T, 2, MAX_T) for T in Ts]
    for kind in kinds:
        check_kind(kind)
    runs = [(T, kind) for T in Ts for kind in kinds]
    bar = tqdm(runs, desc="sweep", unit="run", disable=not check_bool("progress", progress))
    return [train(kind, T, progress=progress, **settings) for T, kind in bar]


def format_table(results: list[Result]) -> str:
    """A plain-text table: T, model, test MSE, MSE / mean-guess MSE, training seconds."""
    check_instance("results", results, (list, tuple), "a list of Result")
    for r in results:
        check_instance("results[]", r, Result, "a Result of train")
    lines = [f"{'T':>4}  {'model':<5}  {'steps':>5}  {'test MSE':>9}  {'/ 0.167':>8}  {'seconds':>7}"]
    lines += [f"{r.T:>4}  {r.kind:<5}  {r.steps:>5}  {r.test_mse:>9.4f}  {r.test_mse / MEAN_MSE:>8.3f}  "
              f"{r.seconds:>7.1f}" for r in results]
    return "\n".join(lines)


# ---------------------------------------------------------------- robustness

LSTM_PARAMETERS_H = 66          # an RNN of 66 units has 4,620 parameters, an LSTM of 32 units 4,608 (input size 2)

ROBUSTNESS: tuple[tuple[str, dict], ...] = (
    ("RNN, lr 1e-3", dict(kind="rnn", lr=1e-3)),
    ("RNN, lr 3e-3", dict(kind="rnn", lr=3e-3)),
    ("RNN, lr 1e-2", dict(kind="rnn", lr=1e-2)),
    ("RNN, lr 3e-2", dict(kind="rnn", lr=3e-2)),
    ("RNN, seed 1", dict(kind="rnn", seed=1)),
    (f"RNN, H={LSTM_PARAMETERS_H} (LSTM's parameters)", dict(kind="rnn", hidden=LSTM_PARAMETERS_H)),
    ("RNN, orthogonal W_hh", dict(kind="rnn", init="orthogonal")),
    ("RNN, identity W_hh (IRNN)", dict(kind="rnn", init="identity")),
    ("RNN, T=10", dict(kind="rnn", T=10)),
    ("RNN, T=20", dict(kind="rnn", T=20)),
    ("RNN, T=30", dict(kind="rnn", T=30)),
    ("LSTM, lr 1e-3", dict(kind="lstm", lr=1e-3)),
    ("LSTM, lr 3e-3", dict(kind="lstm", lr=3e-3)),
    ("LSTM, lr 1e-2", dict(kind="lstm", lr=1e-2)),
    ("LSTM, lr 1e-2, seed 1", dict(kind="lstm", seed=1)),
)
LENGTHS: tuple[tuple[str, dict], ...] = tuple(row for row in ROBUSTNESS if row[0] in ("RNN, T=10", "RNN, T=20", "RNN, T=30"))
FIRST_SIGN: tuple[tuple[str, dict], ...] = (
    ("first sign, LSTM, forget bias 1", dict(kind="lstm", task="first_sign", forget_bias=1.0, steps=3000)),
    ("first sign, LSTM, forget bias 2", dict(kind="lstm", task="first_sign", forget_bias=2.0, steps=3000)),
    ("first sign, GRU", dict(kind="gru", task="first_sign")),
    ("first sign, LSTM, T=10", dict(kind="lstm", task="first_sign", T=10)),
    ("first sign, LSTM, T=20", dict(kind="lstm", task="first_sign", T=20)),
)


def robustness(settings: Sequence[tuple[str, dict]] = LENGTHS, T: int = 50, steps: int = 1000,
               progress: bool = True, **common) -> list[tuple[str, Result]]:
    """``train`` each (label, settings) pair; ``T``, ``steps`` and ``common`` are the defaults a setting overrides.

    The default, ``LENGTHS`` (the RNN at T = 10, 20, 30), is what a notebook
    can afford in a few seconds; ``ROBUSTNESS + FIRST_SIGN`` is the full
    table of ``benchmarks/adding_problem.py --robustness``. Returns
    (label, Result) pairs; ``format_robustness`` prints them.
    """
    check_instance("settings", settings, (list, tuple), "a list or tuple of (label, dict of train settings)")
    if not settings:
        raise ValueError("settings must name at least one (label, dict) pair, got an empty sequence")
    for item in settings:
        if not (isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str) and isinstance(item[1], dict)
                and "kind" in item[1]):
            raise TypeError(f"settings[] must be a (label, dict of train settings with a 'kind') pair, got {item!r}")
    defaults = dict(T=check_int("T", T, 2, MAX_T), steps=check_int("steps", steps, 1, MAX_STEPS), **common)
    bar = tqdm(settings, desc="settings", unit="run", disable=not check_bool("progress", progress))
    return [(label, train(**{**defaults, **setting, "progress": progress})) for label, setting in bar]


def verdict(result: Result) -> str:
    """What a test MSE means: 'solved', 'partly', 'second value only' or 'no memory'.

    Adding problem: solved below 0.01, partly below 0.07, second value only
    below 0.125 (half-way from its 1/12 to the mean guess's 1/6), else no
    memory. First sign: solved below 0.05 (answering 0 scores 1), else no memory.
    """
    check_instance("result", result, Result, "a Result of train")
    if result.task == "first_sign":
        return "solved" if result.test_mse < 0.05 else "no memory"
    for limit, meaning in ((0.01, "solved"), (0.07, "partly"), (0.125, "second value only")):
        if result.test_mse < limit:
            return meaning
    return "no memory"


def format_robustness(rows: Sequence[tuple[str, Result]]) -> str:
    """A plain-text table: setting, T, steps, test MSE and what it means (``verdict``)."""
    check_instance("rows", rows, (list, tuple), "a list of (label, Result) pairs")
    for row in rows:
        if not (isinstance(row, tuple) and len(row) == 2 and isinstance(row[1], Result)):
            raise TypeError(f"rows[] must be a (label, Result) pair from robustness, got {row!r}")
    width = max(len(label) for label, _ in rows) if rows else 7
    lines = [f"{'setting':<{width}}  {'T':>3}  {'steps':>5}  {'test MSE':>8}  verdict"]
    lines += [f"{label:<{width}}  {r.T:>3}  {r.steps:>5}  {r.test_mse:>8.4f}  {verdict(r)}" for label, r in rows]
    return "\n".join(lines)


# ---------------------------------------------------------------- cost

def _training_step(kind: str, hidden: int, x: torch.Tensor, y: torch.Tensor) -> Callable[[], float]:
    """One Adam step (forward, backward, update) of a fresh seeded model on (x, y), as a function to time."""
    torch.manual_seed(0)
    model = RecurrentRegressor(kind, x.shape[-1], hidden)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    return lambda: optimizer_step(optimizer, _mse(model(x), y))


def _check_cost(T: int, batch: int, repeats: int) -> tuple[int, int, int]:
    T, batch = check_int("T", T, 2, MAX_T), check_int("batch", batch, 1, 100_000)
    _check_batch_size(T, batch, 2)
    return T, batch, check_int("repeats", repeats, 1, 1000)


def cost_table(hiddens: Sequence[int] = (32, 64, 128, 256), kinds: Sequence[str] = KINDS, T: int = 50,
               batch: int = 64, repeats: int = 5, progress: bool = True, onednn: bool = True) -> list[dict]:
    """Parameters and milliseconds per training step for every kind and hidden size (input size 2).

    The kinds take turns inside each size (``best_times``), so a busy
    moment on a shared machine slows them alike. ``onednn=False`` turns off
    torch's oneDNN (mkldnn) kernels, which run the CPU LSTM as one fused op.
    """
    onednn = check_bool("onednn", onednn)
    check_instance("hiddens", hiddens, (list, tuple), "a list or tuple of hidden sizes")
    check_instance("kinds", kinds, (list, tuple), "a list or tuple of kinds")
    if not hiddens or not kinds:
        raise ValueError(f"hiddens and kinds must not be empty, got hiddens={hiddens!r}, kinds={kinds!r}")
    hiddens = [check_int("hiddens[]", h, 1, MAX_SIZE) for h in hiddens]
    kinds = [check_kind(kind) for kind in kinds]
    T, batch, repeats = _check_cost(T, batch, repeats)
    x, y = adding_batch(T, batch, torch.Generator().manual_seed(0))
    rows = []
    for hidden in tqdm(hiddens, desc="timing", unit="size", disable=not check_bool("progress", progress)):
        with cpu_threads(1), warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="TF32 acceleration on top of oneDNN")
            with nullcontext() if onednn else torch.backends.mkldnn.flags(enabled=False):
                best = best_times({kind: _training_step(kind, hidden, x, y) for kind in kinds}, repeats)
        rows += [{"kind": kind, "hidden": hidden, "params": parameter_count(kind, 2, hidden),
                  "ms_per_step": 1e3 * best[kind]} for kind in kinds]
    return rows
