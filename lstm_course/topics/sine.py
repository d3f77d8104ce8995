"""The noisy sine of the source article, forecast two ways (notebook 07).

The data: ``sin(linspace(0, 100, 1000))`` plus Gaussian noise of standard
deviation 0.1, drawn after ``np.random.seed(42)``; the first 800 values
train, the last 200 test.

- The *source* approach is the article's: ``nn.LSTM(1, 64)`` and a linear
  head, fed one value at a time (a sequence of length 1, no state carried),
  one Adam step per point, 100 epochs.
- The *course* approach: sliding windows of the last ``window`` values,
  shuffled mini-batches (``torchkit.train_epoch``), the same kind of model
  (``torchkit.RecurrentRegressor``) with its head on the last step, and
  early stopping on a validation split cut from the end of the training part.

Both are judged the same way (``evaluate``): one-step-ahead MSE against the
noisy and the clean series, beside the persistence baseline ("tomorrow
equals today") and the noise floor sigma^2, and a free-running forecast of
the 200 test points from the last training window.

Run ``python -m lstm_course.topics.sine --help`` for the command line.
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from ..torchkit import (
    DEVICES,
    RecurrentRegressor,
    mean_loss,
    optimizer_step,
    pick_device,
    predict,
    seed_everything,
    train_epoch,
)
from ..validate import (
    SEED_MAX,
    as_array,
    check_bool,
    check_callable,
    check_choice,
    check_in_range,
    check_instance,
    check_int,
    check_real,
    check_seed,
)

SEED = 42          # the article's np.random.seed
NOISE = 0.1        # the article's noise standard deviation
N_POINTS = 1000
TRAIN_SIZE = 800   # first 800 values train, last 200 test

EpochCallback = Callable[[list[float], list[float]], None]


# ---------------------------------------------------------------- data

def article_data(noise: float = NOISE, seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """The article's series: ``(noisy, clean)``, each (1000,) float64.

    ``clean = sin(linspace(0, 100, 1000))``; ``noisy`` adds ``normal(0, noise)``
    drawn exactly as ``np.random.seed(seed); np.random.normal(...)`` would,
    so with the defaults it equals the article's data bit for bit, without
    touching NumPy's global random state.
    """
    noise = check_in_range("noise", noise, 0.0, 10.0)
    seed = check_seed("seed", seed)
    clean = np.sin(np.linspace(0, 100, num=N_POINTS))
    return clean + np.random.RandomState(seed).normal(0, noise, size=N_POINTS), clean


def _check_window(window, length: int) -> int:
    """A window must be a positive integer shorter than the series (so one window has a target)."""
    window = check_int("window", window)
    if window >= length:
        raise ValueError(f"window ({window}) must be shorter than the series ({length} values), "
                         "so that at least one window has a target after it")
    return window


def make_windows(series, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Every window of ``window`` values and the value right after it.

    series (T,) -> X (T - window, window, 1), y (T - window, 1), float32,
    with ``X[k] = series[k : k + window]`` and ``y[k] = series[k + window]``:
    no window contains its own target or anything later.
    """
    series = as_array("series", series, ndim=1)
    window = _check_window(window, len(series))
    X = np.lib.stride_tricks.sliding_window_view(series[:-1], window)
    y = series[window:]
    return X[..., None].astype(np.float32), y[:, None].astype(np.float32)


def windows_for_targets(series, window: int, start: int, stop: int,
                        name: str = "split") -> tuple[np.ndarray, np.ndarray]:
    """Windows whose targets are ``series[start:stop]``, each input the ``window`` values just before.

    Returns X (stop - start, window, 1), y (stop - start, 1). Raises
    ``ValueError`` naming ``name`` if the range is empty or lacks history.
    """
    series = as_array("series", series, ndim=1)
    window = _check_window(window, len(series))
    if not 0 <= start < stop <= len(series):
        raise ValueError(f"the {name} split is empty or out of range: targets [{start}, {stop}) "
                         f"in a series of {len(series)} values")
    if start < window:
        raise ValueError(f"the {name} split's first target (index {start}) needs {window} values before it; "
                         f"use a window of at most {start}")
    return make_windows(series[start - window:stop], window)


@dataclass(frozen=True)
class Splits:
    """Train, validation and test windows; ``targets`` gives each split's target indices."""

    train: tuple[np.ndarray, np.ndarray]
    val: tuple[np.ndarray, np.ndarray]
    test: tuple[np.ndarray, np.ndarray]
    targets: dict[str, range]


def make_splits(series, window: int, train_size: int = TRAIN_SIZE, val_size: int = 100) -> Splits:
    """Cut ``series`` by target index: train ``[window, train_size - val_size)``,
    validation ``[train_size - val_size, train_size)``, test ``[train_size, T)``.

    The training windows use only values before the validation part, so
    neither validation nor test values ever reach the gradient; later splits
    may look back into earlier values, as a forecaster in use would.
    """
    series = as_array("series", series, ndim=1)
    window = _check_window(window, len(series))
    train_size = check_int("train_size", train_size, 1, len(series) - 1)
    val_size = check_int("val_size", val_size, 1, len(series))
    fit_end = train_size - val_size
    if fit_end <= window:
        raise ValueError(f"train_size ({train_size}) must exceed val_size ({val_size}) + window ({window}) "
                         f"so that the training split has targets, got train_size - val_size = {fit_end}")
    targets = {"train": range(window, fit_end), "val": range(fit_end, train_size),
               "test": range(train_size, len(series))}
    parts = {name: windows_for_targets(series, window, r.start, r.stop, name) for name, r in targets.items()}
    return Splits(parts["train"], parts["val"], parts["test"], targets)


# ---------------------------------------------------------------- model and training

def make_model(hidden: int = 64, forget_bias: float | None = None) -> RecurrentRegressor:
    """``nn.LSTM(1, hidden)`` and a linear head on the last step: (batch, steps, 1) -> (batch, 1).

    The toolkit's ``RecurrentRegressor``. ``forget_bias`` (if given) *sets*
    the forget gates' bias (rows H:2H of torch's i, f, g, o order, in
    ``bias_ih + bias_hh``) with ``torchkit.set_forget_bias``: with 2, the
    gates open at sigmoid(2) = 0.88 instead of about 0.5, a memory half-life
    of about 5 steps instead of 1. ``None`` keeps torch's initialisation.
    """
    if forget_bias is not None:
        forget_bias = check_real("forget_bias", forget_bias, -100.0, 100.0)
    return RecurrentRegressor("lstm", input_size=1, hidden=check_int("hidden", hidden, 1, 4096),
                              forget_bias=forget_bias)


@dataclass(frozen=True)
class CourseConfig:
    """The course approach's settings."""

    window: int = 60            # about one period of the sine (63 steps)
    hidden: int = 32
    forget_bias: float = 2.0    # forget gates start at sigmoid(2) = 0.88: a long memory to average noise
    batch_size: int = 32
    lr: float = 1e-2
    lr_decay: float = 0.95      # the learning rate is multiplied by this after each epoch
    max_epochs: int = 100
    patience: int = 25
    val_size: int = 100
    seed: int = 0

    def __post_init__(self):
        for name, high in (("window", 10_000), ("hidden", 4096), ("batch_size", 100_000), ("max_epochs", 10_000),
                           ("patience", 10_000), ("val_size", 100_000)):
            check_int(name, getattr(self, name), 1, high)
        check_real("forget_bias", self.forget_bias, -100.0, 100.0)
        check_in_range("lr", self.lr, 1e-8, 1.0)
        check_in_range("lr_decay", self.lr_decay, 1e-3, 1.0)
        check_int("seed", self.seed, 0, SEED_MAX)


SOURCE_EPOCHS = 100  # the article's
SOURCE_HIDDEN = 64
SOURCE_LR = 1e-3


@dataclass
class TrainResult:
    """A trained model and how it got there; losses are per-epoch means of the MSE.

    ``seconds`` is the training time without the time spent in ``on_epoch`` (drawing).
    """

    approach: str
    model: RecurrentRegressor
    device: str
    window: int
    seconds: float
    train_losses: list[float] = field(default_factory=list)
    val_losses: list[float] = field(default_factory=list)
    best_epoch: int | None = None


def _timed(on_epoch: EpochCallback | None, train_losses: list[float], val_losses: list[float]) -> float:
    """Call ``on_epoch`` if given; return the seconds it took (left out of the training time)."""
    start = time.perf_counter()
    if on_epoch:
        on_epoch(train_losses, val_losses)
    return time.perf_counter() - start


def train_source(train_series, epochs: int | None = None, seed: int = 0, device: str = "auto",
                 progress: bool = True, on_epoch: EpochCallback | None = None) -> TrainResult:
    """The article's training loop: for each i, input ``series[i]`` alone, target ``series[i + 1]``.

    train_series (T,). One Adam step (lr 1e-3) per point, no state carried
    from one point to the next, ``epochs`` passes in order (default 100).
    """
    series = as_array("train_series", train_series, ndim=1)
    if not 2 <= len(series) <= 100_000:
        raise ValueError(f"train_series needs 2 to 100,000 values (an input and its target; one Adam step per "
                         f"value), got {len(series)}")
    epochs = SOURCE_EPOCHS if epochs is None else check_int("epochs", epochs, 1, 10_000)
    seed = check_int("seed", seed, 0, SEED_MAX)
    progress = check_bool("progress", progress)
    on_epoch = None if on_epoch is None else check_callable("on_epoch", on_epoch)
    dev = pick_device(device)
    seed_everything(seed, dev)
    model = make_model(SOURCE_HIDDEN).to(dev)
    optimizer = torch.optim.Adam(model.parameters(), lr=SOURCE_LR)
    data = torch.tensor(series, dtype=torch.float32, device=dev)
    losses: list[float] = []
    start, drawing = time.perf_counter(), 0.0
    for _ in tqdm(range(epochs), desc="source approach", unit="epoch", disable=not progress):
        total = 0.0
        for i in range(len(data) - 1):
            loss = nn.functional.mse_loss(model(data[i].view(1, 1, 1)), data[i + 1].view(1, 1))
            total += optimizer_step(optimizer, loss)          # zero_grad, backward, step
        losses.append(total / (len(data) - 1))
        drawing += _timed(on_epoch, losses, [])
    return TrainResult("source", model, dev.type, 1, time.perf_counter() - start - drawing, losses)


def train_course(noisy, config: CourseConfig = CourseConfig(), device: str = "auto", progress: bool = True,
                 on_epoch: EpochCallback | None = None, train_size: int = TRAIN_SIZE) -> TrainResult:
    """Windows, shuffled mini-batches, Adam, early stopping on the validation split.

    noisy (T,): only its first ``train_size`` values are used. Stops when the
    validation loss has not improved for ``config.patience`` epochs and keeps
    the best weights. Seeded: on the CPU two runs give identical weights.
    Raises ``ValueError`` if training diverges (a loss that is not finite).
    """
    check_instance("config", config, CourseConfig)
    progress = check_bool("progress", progress)
    on_epoch = None if on_epoch is None else check_callable("on_epoch", on_epoch)
    splits = make_splits(noisy, config.window, train_size, config.val_size)
    dev = pick_device(device)
    seed_everything(config.seed, dev)
    model = make_model(config.hidden, config.forget_bias).to(dev)
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr)
    schedule = torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=config.lr_decay)
    shuffle = torch.Generator().manual_seed(config.seed)
    (X_train, y_train), (X_val, y_val) = ((torch.from_numpy(a).to(dev) for a in pair)
                                          for pair in (splits.train, splits.val))
    loss_fn = nn.functional.mse_loss
    result = TrainResult("course", model, dev.type, config.window, 0.0)
    best, best_state = math.inf, None
    start, drawing = time.perf_counter(), 0.0
    bar = tqdm(range(config.max_epochs), desc="course approach", unit="epoch", disable=not progress)
    for epoch in bar:
        result.train_losses.append(train_epoch(model, loss_fn, X_train, y_train, optimizer, config.batch_size, shuffle))
        schedule.step()
        result.val_losses.append(mean_loss(model, loss_fn, X_val, y_val))
        if not (math.isfinite(result.train_losses[-1]) and math.isfinite(result.val_losses[-1])):
            bar.close()
            raise ValueError(f"training diverged at epoch {epoch + 1}: training loss {result.train_losses[-1]}, "
                             f"validation loss {result.val_losses[-1]}; scale noisy to values of about 1 "
                             f"(its largest is {np.max(np.abs(splits.train[0])):.3g}) or lower config.lr")
        bar.set_postfix(train=f"{result.train_losses[-1]:.4f}", val=f"{result.val_losses[-1]:.4f}")
        if result.val_losses[-1] < best:
            best, best_state, result.best_epoch = result.val_losses[-1], copy.deepcopy(model.state_dict()), epoch
        drawing += _timed(on_epoch, result.train_losses, result.val_losses)
        if epoch - result.best_epoch >= config.patience:
            break
    bar.close()
    model.load_state_dict(best_state)
    result.seconds = time.perf_counter() - start - drawing
    return result


# ---------------------------------------------------------------- evaluation

def model_device(model: nn.Module) -> torch.device:
    """The device ``model``'s parameters live on (the CPU for a model without any)."""
    return next(model.parameters(), torch.empty(0)).device


def predict_next(model: nn.Module, X: np.ndarray) -> np.ndarray:
    """One-step-ahead predictions on the model's device: X (samples, steps, 1) -> (samples,)."""
    check_instance("model", model, nn.Module, "a torch.nn.Module")
    X = as_array("X", X, ndim=3)
    if X.shape[0] < 1 or X.shape[1] < 1 or X.shape[2] != 1:
        raise ValueError(f"X must have shape (samples, steps, 1) with at least one sample and one step, "
                         f"got {X.shape}")
    X = torch.tensor(X, dtype=torch.float32, device=model_device(model))
    return predict(model, X).squeeze(1).cpu().double().numpy()


@torch.no_grad()
def free_run(model: nn.Module, history, steps: int) -> np.ndarray:
    """Forecast ``steps`` values from ``history`` (window,), each prediction fed back as the newest input.

    Returns (steps,). ``steps`` is at most 100,000 (one forward pass each).
    """
    check_instance("model", model, nn.Module, "a torch.nn.Module")
    window = torch.tensor(as_array("history", history, ndim=1), dtype=torch.float32, device=model_device(model))
    steps = check_int("steps", steps, 1, 100_000)
    if len(window) == 0:
        raise ValueError("history is empty: free-running needs at least one value to start from")
    model.eval()
    out = []
    for _ in range(steps):
        nxt = model(window.view(1, -1, 1)).view(1)
        out.append(nxt.item())
        window = torch.cat([window[1:], nxt])
    return np.array(out)


def persistence_mse(series, start: int = TRAIN_SIZE) -> float:
    """MSE of "the next value equals this one" over the targets ``series[start:]``."""
    series = as_array("series", series, ndim=1)
    if len(series) < 2:
        raise ValueError(f"series needs at least 2 values (a value and the next), got {len(series)}")
    start = check_int("start", start, 1, len(series) - 1)   # targets, and a value before each
    return float(np.mean((series[start:] - series[start - 1:-1]) ** 2))


@dataclass(frozen=True)
class Evaluation:
    """How a model forecasts the test part: predictions (200,) and the figures."""

    pred_next: np.ndarray       # one-step predictions of noisy[train_size:], from the true history
    free: np.ndarray            # free-running forecast from the last training window
    mse_next_noisy: float
    mse_next_clean: float
    mse_persistence: float      # against the noisy series, like mse_next_noisy
    noise_floor: float          # sigma^2: on average, the best any forecaster can do against the noisy series
    mse_oracle: float           # the clean sine's own MSE against the noisy test values: this sample's floor
    freerun_rmse_clean: float


def evaluate(model: nn.Module, noisy, clean, window: int, train_size: int = TRAIN_SIZE,
             noise: float = NOISE) -> Evaluation:
    """Judge ``model`` (on its own device) on the test part ``[train_size, T)`` of noisy (T,) and clean (T,).

    ``noise`` is the standard deviation the data was drawn with (its square is the noise floor).
    """
    check_instance("model", model, nn.Module, "a torch.nn.Module")
    noisy, clean = as_array("noisy", noisy, ndim=1), as_array("clean", clean, ndim=1)
    if noisy.shape != clean.shape:
        raise ValueError(f"noisy and clean must have the same shape, got {noisy.shape} and {clean.shape}")
    window = _check_window(window, len(noisy))
    train_size = check_int("train_size", train_size, 1, len(noisy) - 1)
    noise = check_in_range("noise", noise, 0.0, 10.0)
    X, y = windows_for_targets(noisy, window, train_size, len(noisy), "test")
    pred = predict_next(model, X)
    free = free_run(model, noisy[train_size - window:train_size], len(noisy) - train_size)
    test_clean = clean[train_size:]
    return Evaluation(pred, free,
                      mse_next_noisy=float(np.mean((pred - noisy[train_size:]) ** 2)),
                      mse_next_clean=float(np.mean((pred - test_clean) ** 2)),
                      mse_persistence=persistence_mse(noisy, train_size),
                      noise_floor=noise ** 2,
                      mse_oracle=float(np.mean((noisy[train_size:] - test_clean) ** 2)),
                      freerun_rmse_clean=float(np.sqrt(np.mean((free - test_clean) ** 2))))


def run(approach: str = "course", epochs: int | None = None, device: str = "auto",
        progress: bool = True) -> dict[str, float | str | int]:
    """Train one approach on the article's data and return the benchmark row (see ``ROW_KEYS``)."""
    check_choice("approach", approach, ("course", "source"))
    noisy, clean = article_data()
    if approach == "course":
        config = CourseConfig() if epochs is None else CourseConfig(max_epochs=check_int("epochs", epochs, 1, 10_000))
        result = train_course(noisy, config, device, progress)
    else:
        result = train_source(noisy[:TRAIN_SIZE], epochs, device=device, progress=progress)
    ev = evaluate(result.model, noisy, clean, result.window)
    return {"approach": approach, "device": result.device, "epochs": len(result.train_losses),
            "train_seconds": round(result.seconds, 2), "mse_next_noisy": ev.mse_next_noisy,
            "mse_next_clean": ev.mse_next_clean, "mse_persistence": ev.mse_persistence,
            "freerun_rmse_clean": ev.freerun_rmse_clean}


ROW_KEYS = ("approach", "device", "epochs", "train_seconds", "mse_next_noisy", "mse_next_clean",
            "mse_persistence", "freerun_rmse_clean")


RATIO_KEYS = ("train_seconds", "mse_next_noisy", "mse_next_clean", "freerun_rmse_clean")


def _check_row(name: str, row) -> dict:
    """A benchmark row: a dict with every key of ``ROW_KEYS``."""
    check_instance(name, row, dict, "a dict with the keys of ROW_KEYS (a benchmark row)")
    missing = [key for key in ROW_KEYS if key not in row]
    if missing:
        raise ValueError(f"{name} must have the keys {ROW_KEYS}, missing {missing}")
    return row


def compare_ratios(source: dict, course: dict) -> dict[str, float]:
    """How many times slower and worse the source approach is than the course's."""
    _check_row("source", source)
    _check_row("course", course)
    for key in RATIO_KEYS:
        check_real(f"source[{key!r}]", source[key], 0.0)
        check_real(f"course[{key!r}]", course[key], 1e-300)
    return {key: source[key] / course[key] for key in RATIO_KEYS}


def format_rows(rows: list[dict]) -> str:
    """The benchmark rows as an aligned text table."""
    check_instance("rows", rows, (list, tuple), "a list of benchmark rows (dicts)")
    for k, row in enumerate(rows):
        _check_row(f"rows[{k}]", row)
    lines = ["  ".join(f"{k:>18}" for k in ROW_KEYS)]
    for row in rows:
        lines.append("  ".join(f"{row[k]:>18.5f}" if isinstance(row[k], float) else f"{row[k]:>18}"
                               for k in ROW_KEYS))
    return "\n".join(lines)


# ---------------------------------------------------------------- the what-if panel's quick setting

QUICK_CONFIG = CourseConfig(window=30, hidden=16, max_epochs=20, patience=5)


# ---------------------------------------------------------------- command line

def _positive_int(text: str) -> int:
    """argparse type: an integer in [1, 10000], else a usage error (exit 2) naming the value."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if not 1 <= value <= 10_000:
        raise argparse.ArgumentTypeError(f"must be in [1, 10000], got {value}")
    return value


def main(argv: list[str] | None = None) -> int:
    """``python -m lstm_course.topics.sine``: train, evaluate, print a row (or ``--json``, or ``--compare``)."""
    parser = argparse.ArgumentParser(prog="python -m lstm_course.topics.sine", description=__doc__.split("\n")[0])
    parser.add_argument("--approach", choices=("course", "source"), default="course")
    parser.add_argument("--epochs", type=_positive_int, default=None,
                        help="source: epochs (default 100, the article's); course: the early-stopping cap (default 100)")
    parser.add_argument("--device", choices=DEVICES, default="auto")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--compare", action="store_true", help="run both approaches and print the ratios")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bars")
    parser.add_argument("--threads", type=_positive_int, default=1,
                        help="CPU threads for torch (default 1: these small models run fastest on one)")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    try:
        kind = pick_device(args.device).type
    except ValueError as exc:
        parser.error(str(exc))
    approaches = ("source", "course") if args.compare else (args.approach,)
    rows = [run(a, args.epochs, kind, progress=not args.no_progress) for a in approaches]
    ratios = compare_ratios(*rows) if args.compare else None
    if args.json:
        print(json.dumps({"rows": rows, "ratios_source_over_course": ratios} if args.compare else rows[0]))
        return 0
    print(format_rows(rows))
    if ratios:
        print("source / course: " + ", ".join(f"{k} x{v:.1f}" for k, v in ratios.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
