"""The noisy sine of the source article, forecast by its model, the course's LSTM and the baselines (notebook 07).

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

Beside them, the baselines any forecaster tries first, fitted in NumPy
(``baseline_forecasts``, judged by ``judge``): persistence; the best
one-value linear predictor; least-squares and ridge autoregressions
(``fit_ar``) whose window and penalty are chosen by rolling-origin
cross-validation over the training part alone (``choose_by_cv``); and the
limit, least squares of ``A sin + B cos`` at the known frequency.

Run ``python -m lstm_course.topics.sine --help`` for the command line.
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import itertools
import json
import math
import time
from dataclasses import dataclass, field, replace
from typing import Callable

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from ..torchkit import (
    DEVICES,
    RecurrentRegressor,
    available_devices,
    best_times,
    mean_loss,
    optimizer_step,
    pick_device,
    predict,
    seed_everything,
    spread,
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


def make_windows(series, window: int, dtype: type = np.float32) -> tuple[np.ndarray, np.ndarray]:
    """Every window of ``window`` values and the value right after it.

    series (T,) -> X (T - window, window, 1), y (T - window, 1), float32
    (torch's default; the linear baselines ask for float64), with
    ``X[k] = series[k : k + window]`` and ``y[k] = series[k + window]``:
    no window contains its own target or anything later.
    """
    series = as_array("series", series, ndim=1)
    window = _check_window(window, len(series))
    check_choice("dtype", dtype, (np.float32, np.float64))
    X = np.lib.stride_tricks.sliding_window_view(series[:-1], window)
    y = series[window:]
    return X[..., None].astype(dtype), y[:, None].astype(dtype)


def windows_for_targets(series, window: int, start: int, stop: int,
                        name: str = "split", dtype: type = np.float32) -> tuple[np.ndarray, np.ndarray]:
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
    return make_windows(series[start - window:stop], window, dtype)


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

def make_model(hidden: int = 64, forget_bias: float | None = None, highway: int = 0) -> RecurrentRegressor:
    """``nn.LSTM(1, hidden)`` and a linear head on the last step: (batch, steps, 1) -> (batch, 1).

    ``highway = k > 0`` adds the linear autoregression on the last k values
    beside it (``RecurrentRegressor``'s LSTNet switch); 0 is the plain LSTM.

    The toolkit's ``RecurrentRegressor``. ``forget_bias`` (if given) *sets*
    the forget gates' bias (rows H:2H of torch's i, f, g, o order, in
    ``bias_ih + bias_hh``) with ``torchkit.set_forget_bias``: with 2, the
    gates open at sigmoid(2) = 0.88 instead of about 0.5, a memory half-life
    of about 5 steps instead of 1. ``None`` keeps torch's initialisation.
    """
    if forget_bias is not None:
        forget_bias = check_real("forget_bias", forget_bias, -100.0, 100.0)
    return RecurrentRegressor("lstm", input_size=1, hidden=check_int("hidden", hidden, 1, 4096),
                              forget_bias=forget_bias, highway=check_int("highway", highway, 0, 10_000))


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
    patience: int = 10          # epochs without a better validation loss before stopping (the best is kept)
    val_size: int = 100
    seed: int = 0
    highway: int = 0            # k > 0: a linear autoregression on the last k values beside the LSTM (LSTNet)
    highway_lam: float | None = None   # None: the highway trains with the LSTM; a number: it is the ridge AR
                                       # with this penalty, fitted on the training windows and held fixed

    def __post_init__(self):
        for name, high in (("window", 10_000), ("hidden", 4096), ("batch_size", 100_000), ("max_epochs", 10_000),
                           ("patience", 10_000), ("val_size", 100_000)):
            check_int(name, getattr(self, name), 1, high)
        check_int("highway", self.highway, 0, self.window)
        if self.highway_lam is not None:
            check_real("highway_lam", self.highway_lam, 0.0, 1e12)
            if self.highway == 0:
                raise ValueError("highway_lam needs a highway (highway > 0) to fit")
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
    model = make_model(config.hidden, config.forget_bias, config.highway).to(dev)
    if config.highway_lam is not None:   # the ridge AR on the training windows' targets, held fixed
        ar = fit_ar(noisy[:train_size], config.highway, config.highway_lam, config.window, splits.targets["train"].stop)
        with torch.no_grad():
            model.highway.weight.copy_(torch.as_tensor(ar.coef[None], dtype=torch.float32))
            model.highway.bias.fill_(ar.intercept)
            model.head.weight.zero_()     # the model starts as the ridge AR; the LSTM learns what it leaves
            model.head.bias.zero_()
        model.highway.requires_grad_(False)
    optimizer = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=config.lr)
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
    return _judge(pred, free, noisy, clean, train_size, noise)


def _judge(pred: np.ndarray, free: np.ndarray, noisy: np.ndarray, clean: np.ndarray, train_size: int,
           noise: float) -> Evaluation:
    """The figures of one-step predictions ``pred`` and a free run ``free``, each (T - train_size,), on checked data."""
    test_clean = clean[train_size:]
    return Evaluation(pred, free,
                      mse_next_noisy=float(np.mean((pred - noisy[train_size:]) ** 2)),
                      mse_next_clean=float(np.mean((pred - test_clean) ** 2)),
                      mse_persistence=persistence_mse(noisy, train_size),
                      noise_floor=noise ** 2,
                      mse_oracle=float(np.mean((noisy[train_size:] - test_clean) ** 2)),
                      freerun_rmse_clean=float(np.sqrt(np.mean((free - test_clean) ** 2))))


# ---------------------------------------------------------------- the linear baselines and the known-form limit

RIDGE_WINDOWS = (5, 10, 20, 30, 40, 60, 80, 100, 150, 200, 300)   # the windows w the validation chooses among
RIDGE_LAMBDAS = (0.0, 0.01, 0.1, 1.0, 10.0, 100.0, 1000.0)  # and the ridge penalties (0 is least squares)
CV_FOLDS = 4          # rolling-origin folds over the training part
CV_FOLD_SIZE = 100    # targets in each fold: with 800 training values, folds [400, 500), ..., [700, 800)
OMEGA = 100 / (N_POINTS - 1)   # the article's sine advances 100/999 radians per step: a period of 62.8 steps


@dataclass(frozen=True)
class LinearAR:
    """A linear autoregression: ``y_t = b + sum_j a_j y_(t-w+j)``, j = 0..w-1, the oldest value first.

    ``coef`` (w,), ``intercept`` b, and the ridge penalty ``lam`` it was fitted with (0: least squares).
    """

    coef: np.ndarray
    intercept: float
    lam: float

    @property
    def window(self) -> int:
        return len(self.coef)

    @property
    def parameters(self) -> int:
        return len(self.coef) + 1

    def predict(self, series, start: int, stop: int) -> np.ndarray:
        """One-step predictions of ``series[start:stop]``, each from the w values just before it: (stop - start,)."""
        X, _ = windows_for_targets(series, self.window, start, stop, "predicted", np.float64)
        return X[..., 0] @ self.coef + self.intercept

    def free_run(self, history, steps: int) -> np.ndarray:
        """``steps`` values forecast from the last w of ``history`` (at least w,), each fed back: (steps,)."""
        history = as_array("history", history, ndim=1)
        steps = check_int("steps", steps, 1, 100_000)
        w = self.window
        if len(history) < w:
            raise ValueError(f"history must hold at least window = {w} values, got {len(history)}")
        values = np.concatenate([history[-w:], np.zeros(steps)])
        for k in range(steps):
            values[w + k] = values[k:k + w] @ self.coef + self.intercept
        return values[w:]


def fit_ar(series, window: int, lam: float = 0.0, start: int | None = None, stop: int | None = None) -> LinearAR:
    """Least squares (``lam`` = 0) or ridge fit of ``LinearAR`` to the targets ``series[start:stop]``.

    Minimises ``sum_t (y_t - b - a . window_t)^2 + lam |a|^2`` (the intercept b is
    not penalised) over the targets t in [start, stop), default [window, T):
    the normal equations ``(A^T A + lam P) beta = A^T y``, A the windows with a
    column of ones, P the identity without the intercept's 1; with lam = 0 and
    no more targets than weights, NumPy's least squares (the minimum-norm solution).
    """
    series = as_array("series", series, ndim=1)
    window = _check_window(window, len(series))
    lam = check_real("lam", lam, 0.0, 1e12)
    start = window if start is None else check_int("start", start, window, len(series) - 1)
    stop = len(series) if stop is None else check_int("stop", stop, start + 1, len(series))
    return _solve_ar(_design(series, window, start, stop), lam)


def _design(series: np.ndarray, window: int, start: int, stop: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The least-squares problem of ``fit_ar`` on checked arguments: (A (n, w + 1), A^T A, A^T y)."""
    X, y = windows_for_targets(series, window, start, stop, "fitted", np.float64)
    A = np.c_[X[..., 0], np.ones(len(X))]                     # (n, w + 1): the windows and a 1
    return A, A.T @ A, A.T @ y[:, 0]


def _solve_ar(design: tuple[np.ndarray, np.ndarray, np.ndarray], lam: float) -> LinearAR:
    A, AtA, Aty = design
    window = A.shape[1] - 1
    if lam == 0 and len(A) <= window + 1:
        beta = np.linalg.lstsq(AtA, Aty, rcond=None)[0]           # the minimum-norm solution, pinv(A) y
    else:
        P = np.diag(np.r_[np.ones(window), 0.0])               # penalise a, not b
        beta = np.linalg.solve(AtA + lam * P, Aty)
    return LinearAR(beta[:-1], float(beta[-1]), lam)


def rolling_origin_folds(n: int, folds: int = CV_FOLDS, fold_size: int = CV_FOLD_SIZE) -> list[tuple[int, int]]:
    """The last ``folds`` blocks of ``fold_size`` targets of a training part of ``n`` values, oldest first.

    Each fold ``(start, stop)`` is fitted on the targets before ``start`` and
    scored on ``[start, stop)``: every fold forecasts forward in time, as the
    model will be used, and the last fold ends at ``n``.
    """
    n = check_int("n", n, 2, 10**9)
    folds, fold_size = check_int("folds", folds, 1, 1000), check_int("fold_size", fold_size, 1, 10**9)
    if folds * fold_size >= n:
        raise ValueError(f"folds * fold_size ({folds} * {fold_size}) must be less than n ({n}), so that the "
                         "first fold has values to fit on")
    return [(n - (folds - k) * fold_size, n - (folds - k - 1) * fold_size) for k in range(folds)]


FitPredict = Callable[[np.ndarray, int], np.ndarray]


def cross_validate(train_series, fit_predict: FitPredict, folds: int = CV_FOLDS,
                   fold_size: int = CV_FOLD_SIZE) -> np.ndarray:
    """Rolling-origin cross-validation over ``train_series`` (n,) alone: the MSE of each fold, (folds,).

    For each fold (start, stop) of ``rolling_origin_folds``,
    ``fit_predict(train_series[:stop], start)`` must fit on the targets before
    ``start`` only and return its one-step predictions of ``[start, stop)``.
    Nothing after ``train_series`` exists here: the test part cannot leak in.
    """
    series = as_array("train_series", train_series, ndim=1)
    check_callable("fit_predict", fit_predict)
    folds, fold_size = check_int("folds", folds, 1, 1000), check_int("fold_size", fold_size, 1, 10**9)
    if len(series) <= folds * fold_size:
        raise ValueError(f"train_series has {len(series)} values, too few for {folds} folds of {fold_size} "
                         "targets and values before them to fit on")
    scores = []
    for start, stop in rolling_origin_folds(len(series), folds, fold_size):
        pred = as_array("fit_predict's predictions", fit_predict(series[:stop].copy(), start), ndim=1)
        if pred.shape != (stop - start,):
            raise ValueError(f"fit_predict must return one prediction per target of [{start}, {stop}), shape "
                             f"({stop - start},), got {pred.shape}")
        scores.append(float(np.mean((pred - series[start:stop]) ** 2)))
    return np.array(scores)


def choose_by_cv(train_series, candidates: dict, folds: int = CV_FOLDS,
                 fold_size: int = CV_FOLD_SIZE) -> tuple[object, dict]:
    """The candidate with the lowest mean rolling-origin MSE: ``(best key, {key: (folds,) fold MSEs})``.

    ``candidates`` maps a setting (any key) to its ``fit_predict`` (see ``cross_validate``).
    """
    check_instance("candidates", candidates, dict, "a dict of setting -> fit_predict function")
    if not candidates:
        raise ValueError("candidates must hold at least one setting to choose from")
    scores = {key: cross_validate(train_series, fn, folds, fold_size) for key, fn in candidates.items()}
    return min(scores, key=lambda key: scores[key].mean()), scores


def _ar_candidates(windows: tuple, lambdas: tuple) -> dict[tuple[int, float], FitPredict]:
    """``fit_predict`` for each (w, lam): the fits of one window on one fold share their A^T A (one product, every lam)."""
    designs: dict = {}

    def candidate(window: int, lam: float) -> FitPredict:
        def fit_predict(series: np.ndarray, start: int) -> np.ndarray:
            key = (window, len(series), start)
            if key not in designs:
                designs[key] = _design(series, window, window, start)
            return _solve_ar(designs[key], lam).predict(series, start, len(series))
        return fit_predict

    return {(w, lam): candidate(w, lam) for w in windows for lam in lambdas}


@dataclass(frozen=True)
class Forecast:
    """A forecaster's output on the test part: ``pred_next`` and ``free`` (T - train_size,), and its cost."""

    approach: str
    parameters: int
    seconds: float              # fitting time, choosing the settings included
    settings: dict
    pred_next: np.ndarray       # one-step predictions, each from the true history
    free: np.ndarray            # free run from the end of the training part


def _series_and_split(noisy, train_size: int) -> tuple[np.ndarray, int]:
    noisy = as_array("noisy", noisy, ndim=1)
    if len(noisy) < 3:
        raise ValueError(f"noisy needs at least 3 values (a training part and a test part), got {len(noisy)}")
    return noisy, check_int("train_size", train_size, 2, len(noisy) - 1)


def persistence_forecast(noisy, train_size: int = TRAIN_SIZE) -> Forecast:
    """"The next value equals this one": ``y_t-1`` for each test target; run free, the last training value forever."""
    noisy, train_size = _series_and_split(noisy, train_size)
    n_test = len(noisy) - train_size
    return Forecast("persistence", 0, 0.0, {}, noisy[train_size - 1:-1].copy(), np.full(n_test, noisy[train_size - 1]))


def ar_forecast(noisy, train_size: int = TRAIN_SIZE, windows=RIDGE_WINDOWS, lambdas=(0.0,),
                folds: int = CV_FOLDS, fold_size: int = CV_FOLD_SIZE) -> Forecast:
    """A linear autoregression with (w, lam) chosen by rolling-origin CV on ``noisy[:train_size]``, refitted on it.

    ``lambdas = (0.0,)`` is least squares (only w chosen); ``windows = (1,)``,
    ``lambdas = (0.0,)`` the best one-value linear predictor. ``settings``
    holds the choice, its cross-validated MSE and every candidate's.
    """
    noisy, train_size = _series_and_split(noisy, train_size)
    windows, lambdas = _grid("windows", windows), _grid("lambdas", lambdas)
    for w in windows:
        check_int("windows", w, 1, train_size - 1)
    for lam in lambdas:
        check_real("lambdas", lam, 0.0, 1e12)
    start = time.perf_counter()
    train = noisy[:train_size]            # all that the choice and the fit ever see
    if len(windows) * len(lambdas) > 1:
        best, scores = choose_by_cv(train, _ar_candidates(windows, lambdas),
                                    folds, fold_size)
    else:
        best, scores = (windows[0], lambdas[0]), {}
    model = fit_ar(train, *best)
    seconds = time.perf_counter() - start
    name = "one-value" if windows == (1,) else "least-squares AR" if lambdas == (0.0,) else "ridge AR"
    settings = {"window": best[0], "lam": best[1], "coef": model.coef, "intercept": model.intercept,
                "cv_mse": {key: float(v.mean()) for key, v in scores.items()}}
    return Forecast(name, model.parameters, seconds, settings, model.predict(noisy, train_size, len(noisy)),
                    model.free_run(train, len(noisy) - train_size))


def _grid(name: str, values) -> tuple:
    check_instance(name, values, (tuple, list), "a tuple of candidate values")
    if not values:
        raise ValueError(f"{name} must hold at least one candidate")
    return tuple(values)


def one_value_forecast(noisy, train_size: int = TRAIN_SIZE) -> Forecast:
    """The best one-value linear predictor ``y_t = a y_(t-1) + b``, least squares on the training part."""
    return ar_forecast(noisy, train_size, windows=(1,), lambdas=(0.0,))


def known_form_forecast(noisy, train_size: int = TRAIN_SIZE, omega: float = OMEGA) -> Forecast:
    """The limit: least squares of ``A sin(omega t) + B cos(omega t)`` on every value before each target.

    It is told the form and the frequency, and is left to estimate only the
    amplitude and phase (A, B). One-step: for each test target t, the fit on
    ``noisy[:t]``; free run: the fit on the training part, carried on. The
    normal equations of every prefix come from one cumulative sum.
    """
    noisy, train_size = _series_and_split(noisy, train_size)
    omega = check_real("omega", omega, 1e-9, math.pi)
    start = time.perf_counter()
    t = np.arange(len(noisy))
    B = np.c_[np.sin(omega * t), np.cos(omega * t)]                        # (T, 2)
    gram = np.cumsum(B[:, :, None] * B[:, None, :], axis=0)               # (T, 2, 2): sum over s <= t of B_s B_s^T
    right = np.cumsum(B * noisy[:, None], axis=0)                          # (T, 2): sum over s <= t of B_s y_s
    idx = np.arange(train_size - 1, len(noisy) - 1)                        # fit on s <= t - 1 for target t
    AB = np.linalg.solve(gram[idx], right[idx][..., None])[..., 0]        # (n_test, 2)
    pred = np.sum(B[train_size:] * AB, axis=1)
    free = B[train_size:] @ AB[0]                                          # the training part's fit, carried on
    return Forecast("known form", 2, time.perf_counter() - start, {"A": AB[0, 0], "B": AB[0, 1], "omega": omega},
                    pred, free)


def baseline_forecasts(noisy, train_size: int = TRAIN_SIZE, windows=RIDGE_WINDOWS,
                       lambdas=RIDGE_LAMBDAS, limit: bool = True) -> dict[str, Forecast]:
    """Every baseline on one series: persistence, one-value, least-squares AR, ridge AR, and (``limit``,
    for the article's sine) the known-form limit."""
    limit = check_bool("limit", limit)
    fits = [persistence_forecast(noisy, train_size), one_value_forecast(noisy, train_size),
            ar_forecast(noisy, train_size, windows, (0.0,)), ar_forecast(noisy, train_size, windows, lambdas)]
    return {f.approach: f for f in fits + ([known_form_forecast(noisy, train_size)] if limit else [])}


def judge(forecast: Forecast, noisy, clean, train_size: int = TRAIN_SIZE, noise: float = NOISE) -> Evaluation:
    """``evaluate`` for a ``Forecast``: the same figures, from its predictions."""
    check_instance("forecast", forecast, Forecast, "a sine.Forecast")
    noisy, clean = as_array("noisy", noisy, ndim=1), as_array("clean", clean, ndim=1)
    if noisy.shape != clean.shape:
        raise ValueError(f"noisy and clean must have the same shape, got {noisy.shape} and {clean.shape}")
    train_size = check_int("train_size", train_size, 1, len(noisy) - 1)
    n_test = len(noisy) - train_size
    if forecast.pred_next.shape != (n_test,) or forecast.free.shape != (n_test,):
        raise ValueError(f"forecast must cover the test part, {n_test} values (T - train_size), got "
                         f"{forecast.pred_next.shape} and {forecast.free.shape}")
    return _judge(forecast.pred_next, forecast.free, noisy, clean, train_size, check_in_range("noise", noise, 0.0, 10.0))


# ---------------------------------------------------------------- choosing the LSTM's settings, the same way

def _course_candidate(config: CourseConfig, device: str) -> FitPredict:
    def fit_predict(series: np.ndarray, start: int) -> np.ndarray:
        model = train_course(series, config, device, progress=False, train_size=start).model
        return predict_next(model, windows_for_targets(series, config.window, start, len(series), "fold")[0])
    return fit_predict


def choose_config(train_series, configs: dict, folds: int = 2, fold_size: int = CV_FOLD_SIZE,
                  device: str = "cpu") -> tuple[object, dict]:
    """``choose_by_cv`` for the LSTM: each ``CourseConfig`` trained (``train_course``, early stopping inside
    the fold's past) and scored on each rolling-origin fold of ``train_series`` alone.

    Returns ``(best key, {key: (folds,) fold MSEs})``. Each fold trains a
    model, so the default is 2 folds.
    """
    check_instance("configs", configs, dict, "a dict of name -> CourseConfig")
    for key, config in configs.items():
        check_instance(f"configs[{key!r}]", config, CourseConfig)
    pick_device(device)
    return choose_by_cv(train_series, {key: _course_candidate(c, device) for key, c in configs.items()},
                        folds, fold_size)


# ---------------------------------------------------------------- a series no linear filter can forecast: Mackey-Glass

MG_STEP = 6.0     # one sample every 6 time units


def mackey_glass(n: int = N_POINTS, step: float = MG_STEP, tau: float = 17.0, seed: int = 0, dt: float = 0.1,
                 discard: float = 500.0) -> np.ndarray:
    """The Mackey-Glass series ``dx/dt = 0.2 x(t - tau) / (1 + x(t - tau)^10) - 0.1 x(t)``: (n,) float64.

    Euler steps of ``dt`` from a seeded random history around 1.2 (so each
    seed is another trajectory of the same chaotic system, tau = 17), the
    first ``discard`` time units dropped, then one value every ``step`` time units.
    """
    n = check_int("n", n, 2, 100_000)
    step, tau = check_in_range("step", step, 0.1, 100.0), check_in_range("tau", tau, 0.1, 1000.0)
    seed, dt = check_seed("seed", seed), check_in_range("dt", dt, 1e-3, 1.0)
    discard = check_in_range("discard", discard, 0.0, 100_000.0)
    lag, every = round(tau / dt), round(step / dt)
    if abs(lag * dt - tau) > 1e-9 or abs(every * dt - step) > 1e-9:
        raise ValueError(f"tau ({tau}) and step ({step}) must be whole multiples of dt ({dt})")
    first = lag + round(discard / dt)
    total = first + (n - 1) * every + 1
    x = np.empty(total)
    x[:lag + 1] = 1.2 + 0.2 * (np.random.RandomState(seed).random_sample(lag + 1) - 0.5)
    for k in range(lag, total - 1):
        d = x[k - lag]
        x[k + 1] = x[k] + dt * (0.2 * d / (1 + d ** 10) - 0.1 * x[k])
    return x[first::every]


def mackey_glass_data(seed: int = 0, train_size: int = TRAIN_SIZE) -> tuple[np.ndarray, np.ndarray, float]:
    """``mackey_glass`` standardised by its training part's mean and std: ``(series, series, 0.0)``
    (no noise: the series is its own clean version)."""
    x = mackey_glass(seed=seed)
    train_size = check_int("train_size", train_size, 2, len(x) - 1)
    z = (x - x[:train_size].mean()) / x[:train_size].std()
    return z, z, 0.0


def sine_data(seed: int = SEED) -> tuple[np.ndarray, np.ndarray, float]:
    """``article_data(NOISE, seed)`` as ``(noisy, clean, noise)``."""
    return *article_data(NOISE, seed), NOISE


DATASETS = {"sine": sine_data, "mackey-glass": mackey_glass_data}


# ---------------------------------------------------------------- every figure over seeds

SWEEP_SEEDS = ((42, 0), (1, 1), (2, 2), (3, 3), (4, 4))   # (data seed, model seed): the article's data first
SWEEP_KEYS = ("mse_next_noisy", "mse_next_clean", "freerun_rmse_clean", "seconds", "parameters")


def sweep(dataset: str = "sine", seeds=SWEEP_SEEDS, configs: dict | None = None, baselines: bool = True,
          device: str = "cpu", progress: bool = True) -> list[dict]:
    """Fit every baseline and every ``CourseConfig`` of ``configs`` ({name: config}) on each seeded series.

    ``seeds`` is a sequence of (data seed, model seed): the data seed draws the
    series (``DATASETS[dataset]``), the model seed replaces ``config.seed``.
    Returns one row per (seed, approach): the approach, both seeds, its settings
    (``window``, ``lam`` for the linear ones) and ``SWEEP_KEYS``.
    """
    check_choice("dataset", dataset, tuple(DATASETS))
    check_instance("seeds", seeds, (list, tuple), "a sequence of (data seed, model seed) pairs")
    if not seeds:
        raise ValueError("seeds must hold at least one (data seed, model seed) pair")
    for pair in seeds:
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise ValueError(f"seeds must hold (data seed, model seed) pairs, got {pair!r}")
        check_seed("data seed", pair[0])
        check_seed("model seed", pair[1])
    configs = {} if configs is None else check_instance("configs", configs, dict, "a dict of name -> CourseConfig")
    for name, config in configs.items():
        check_instance(f"configs[{name!r}]", config, CourseConfig)
    baselines, progress = check_bool("baselines", baselines), check_bool("progress", progress)
    rows = []
    bar = tqdm(total=len(seeds) * (len(configs) + (4 + (dataset == "sine")) * baselines), desc=f"sweep over {dataset}", disable=not progress)
    for data_seed, model_seed in seeds:
        noisy, clean, noise = DATASETS[dataset](data_seed)
        fits = list(baseline_forecasts(noisy, limit=dataset == "sine").values()) if baselines else []
        rows += [_sweep_row(f.approach, data_seed, model_seed, judge(f, noisy, clean, noise=noise), f.seconds,
                            f.parameters, {k: f.settings[k] for k in ("window", "lam") if k in f.settings})
                 for f in fits]
        bar.update(len(fits))
        for name, config in configs.items():
            result = train_course(noisy, replace(config, seed=model_seed), device, progress=False)
            ev = evaluate(result.model, noisy, clean, config.window, noise=noise)
            rows.append(_sweep_row(name, data_seed, model_seed, ev, result.seconds,
                                   sum(p.numel() for p in result.model.parameters()),
                                   {"epochs": len(result.train_losses)}))
            bar.update(1)
    bar.close()
    return rows


def _sweep_row(approach: str, data_seed: int, model_seed: int, ev: Evaluation, seconds: float, parameters: int,
               settings: dict) -> dict:
    return {"approach": approach, "data_seed": data_seed, "model_seed": model_seed, **settings,
            "mse_next_noisy": ev.mse_next_noisy, "mse_next_clean": ev.mse_next_clean,
            "freerun_rmse_clean": ev.freerun_rmse_clean, "seconds": seconds, "parameters": parameters}


def summarize(rows: list[dict]) -> dict[str, dict[str, tuple[float, float, float, float]]]:
    """Each approach's ``SWEEP_KEYS`` over its rows: {approach: {key: (mean, std, min, max)}}, in first-seen order."""
    check_instance("rows", rows, (list, tuple), "a list of sweep rows (dicts)")
    if not rows:
        raise ValueError("rows must hold at least one sweep row")
    by: dict[str, list[dict]] = {}
    for k, row in enumerate(rows):
        check_instance(f"rows[{k}]", row, dict, "a sweep row (a dict)")
        missing = [key for key in ("approach",) + SWEEP_KEYS if key not in row]
        if missing:
            raise ValueError(f"rows[{k}] must have the keys {('approach',) + SWEEP_KEYS}, missing {missing}")
        by.setdefault(row["approach"], []).append(row)
    out = {}
    for approach, group in by.items():
        out[approach] = {}
        for key in SWEEP_KEYS:
            out[approach][key] = spread([r[key] for r in group])
    return out


def format_summary(summary: dict) -> str:
    """``summarize``'s output as a text table: mean ± std (min..max) of each figure."""
    check_instance("summary", summary, dict, "summarize's output")
    head = f"{'approach':>18} {'parameters':>10} {'one-step MSE vs clean':>32} {'free-run RMSE vs clean':>30} {'fit s':>14}"
    lines = [head]
    for approach, s in summary.items():
        p, c, f, t = (s[k] for k in ("parameters", "mse_next_clean", "freerun_rmse_clean", "seconds"))
        lines.append(f"{approach:>18} {p[0]:>10.0f} {c[0]:>11.3g} ± {c[1]:<8.2g}({c[2]:.2g}..{c[3]:.2g})"
                     f" {f[0]:>9.3g} ± {f[1]:<7.2g}({f[2]:.2g}..{f[3]:.2g}) {t[0]:>7.3g} ± {t[1]:<4.2g}")
    return "\n".join(lines)


# ---------------------------------------------------------------- the named settings

FORGET_BIASES = (0.0, 1.0, 2.0)   # the forget-gate biases the cross-validation chooses among
# The highway LSTM and part 4's LSTM: each setting chosen by ``choose_config`` (2 rolling-origin folds over the
# training part of the article's data, seed 42, and of Mackey-Glass seed 0) among the grids below;
# ``benchmarks/sine_sweep.py --parts cv-settings`` prints the whole ranking. The highway's window and lambda
# are the ridge AR's own CV choice on the same data (w = 100, lambda = 100).
HIGHWAY_GRID = {"hidden": (8, 16, 32), "lr": (1e-3, 3e-3, 1e-2)}
# The course LSTM's own window, size and learning rate, ranked the same way: the CV ranks CourseConfig's
# (60, 32, 1e-2) 7th of 18, 0.0002 behind the best, a tenth of one fold's sampling error: a tie, so it stays.
COURSE_GRID = {"window": (30, 60, 100), "hidden": (16, 32, 64), "lr": (3e-3, 1e-2)}
HIGHWAY_CONFIG = CourseConfig(window=100, hidden=32, highway=100, highway_lam=100.0, lr=1e-3, patience=10)
MG_GRID = {"window": (10, 20, 40), "hidden": (16, 32), "forget_bias": (1.0, 2.0)}
MG_CONFIG = CourseConfig(window=10, hidden=32, forget_bias=1.0, max_epochs=60)   # part 4: Mackey-Glass, standardised


def config_grid(base: CourseConfig, grid: dict) -> dict:
    """Every combination of ``grid``'s values (name -> tuple) applied to ``base``: {(values...): CourseConfig}."""
    check_instance("base", base, CourseConfig)
    check_instance("grid", grid, dict, "a dict of CourseConfig field -> tuple of values")
    names = tuple(grid)
    unknown = [n for n in names if n not in {f.name for f in dataclasses.fields(CourseConfig)}]
    if unknown:
        raise ValueError(f"grid must name CourseConfig fields, got {unknown}")
    return {values: dataclasses.replace(base, **dict(zip(names, values)))
            for values in itertools.product(*(tuple(grid[n]) for n in names))}


# ---------------------------------------------------------------- CPU against GPU

def step_times(batch_sizes=(32, 1024, 16384), devices: tuple[str, ...] | None = None, config: CourseConfig = CourseConfig(),
               repeats: int = 5) -> list[dict]:
    """Seconds of one training step (forward, backward, Adam) of the course model per batch size and device.

    Random windows of shape (batch, config.window, 1); ``devices`` defaults to
    every device this machine has (``available_devices``). On CUDA each timed
    call ends with ``torch.cuda.synchronize()`` so the time is the work's, not
    the launch's. A benchmark figure (``best_times``), never a test's pass mark.
    """
    check_instance("batch_sizes", batch_sizes, (tuple, list), "a tuple of batch sizes")
    sizes = [check_int("batch_sizes", b, 1, 1_000_000) for b in batch_sizes]
    check_instance("config", config, CourseConfig)
    devices = tuple(available_devices()) if devices is None else tuple(devices)
    rows = []
    for name in devices:
        dev = pick_device(name)
        seed_everything(0, dev)
        model = make_model(config.hidden, config.forget_bias, config.highway).to(dev)
        optimizer = torch.optim.Adam(model.parameters(), lr=config.lr)
        sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)
        for batch in sizes:
            X = torch.randn(batch, config.window, 1, device=dev)
            y = torch.randn(batch, 1, device=dev)

            def step():
                optimizer_step(optimizer, nn.functional.mse_loss(model(X), y))
                sync()

            rows.append({"device": dev.type, "batch": batch, "seconds": best_times({"step": step}, repeats)["step"]})
    return rows


BASELINES = {"persistence": persistence_forecast, "one-value": one_value_forecast,
             "least-squares": lambda noisy: ar_forecast(noisy, lambdas=(0.0,)),
             "ridge": lambda noisy: ar_forecast(noisy, lambdas=RIDGE_LAMBDAS), "known-form": known_form_forecast}
APPROACHES = ("source", "course") + tuple(BASELINES)


def run(approach: str = "course", epochs: int | None = None, device: str = "auto",
        progress: bool = True) -> dict[str, float | str | int]:
    """Fit one approach on the article's data and return the benchmark row (see ``ROW_KEYS``).

    The baselines (``BASELINES``) fit on the CPU in NumPy and train no epochs (0).
    """
    check_choice("approach", approach, APPROACHES)
    noisy, clean = article_data()
    if approach in BASELINES:
        forecast = BASELINES[approach](noisy)
        ev = judge(forecast, noisy, clean)
        device, epochs_run, seconds = "cpu", 0, forecast.seconds
    else:
        if approach == "course":
            config = CourseConfig() if epochs is None else CourseConfig(max_epochs=check_int("epochs", epochs, 1, 10_000))
            result = train_course(noisy, config, device, progress)
        else:
            result = train_source(noisy[:TRAIN_SIZE], epochs, device=device, progress=progress)
        ev = evaluate(result.model, noisy, clean, result.window)
        device, epochs_run, seconds = result.device, len(result.train_losses), result.seconds
    return {"approach": approach, "device": device, "epochs": epochs_run,
            "train_seconds": round(seconds, 4), "mse_next_noisy": ev.mse_next_noisy,
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
    """How many times slower and worse the first row (``source``) is than the second (``course``)."""
    _check_row("source", source)
    _check_row("course", course)
    for key in RATIO_KEYS:
        check_real(f"source[{key!r}]", source[key], 0.0)
        check_real(f"course[{key!r}]", course[key], 1e-300)
    return {key: source[key] / course[key] for key in RATIO_KEYS}


def ratios_over(rows: list[dict], reference: str) -> dict[str, dict[str, float]]:
    """Every row's ``compare_ratios`` over the row whose approach is ``reference``: {approach: {key: ratio}}."""
    check_instance("rows", rows, (list, tuple), "a list of benchmark rows (dicts)")
    for k, row in enumerate(rows):
        _check_row(f"rows[{k}]", row)
    found = [row for row in rows if row["approach"] == reference]
    if not found:
        raise ValueError(f"reference must be the approach of one of the rows {[r['approach'] for r in rows]}, "
                         f"got {reference!r}")
    return {row["approach"]: compare_ratios(row, found[0]) for row in rows}


def format_rows(rows: list[dict]) -> str:
    """The benchmark rows as an aligned text table."""
    check_instance("rows", rows, (list, tuple), "a list of benchmark rows (dicts)")
    for k, row in enumerate(rows):
        _check_row(f"rows[{k}]", row)
    lines = ["  ".join(f"{k:>18}" for k in ROW_KEYS)]
    for row in rows:
        lines.append("  ".join(f"{row[k]:>18.5g}" if isinstance(row[k], float) else f"{row[k]:>18}"
                               for k in ROW_KEYS))
    return "\n".join(lines)


# ---------------------------------------------------------------- the what-if panel's quick setting

QUICK_CONFIG = CourseConfig(window=30, hidden=16, max_epochs=12, patience=5)   # "a dozen epochs" at most


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
    parser.add_argument("--approach", choices=APPROACHES, default="course",
                        help="source: the article's; course: the course's LSTM; the rest are the baselines "
                             "(NumPy, settings chosen by rolling-origin cross-validation on the training part)")
    parser.add_argument("--epochs", type=_positive_int, default=None,
                        help="source: epochs (default 100, the article's); course: the early-stopping cap (default 100)")
    parser.add_argument("--device", choices=DEVICES, default="auto")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--compare", action="store_true",
                        help="run every approach (the source's 100 epochs take about 2 minutes) and print the "
                             "ratios of each row over the ridge AR's and of the source's over the course's")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bars")
    parser.add_argument("--threads", type=_positive_int, default=1,
                        help="CPU threads for torch (default 1: these small models run fastest on one)")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    try:
        kind = pick_device(args.device).type
    except ValueError as exc:
        parser.error(str(exc))
    approaches = APPROACHES if args.compare else (args.approach,)
    rows = [run(a, args.epochs, kind, progress=not args.no_progress) for a in approaches]
    if args.compare:
        source_over_course = compare_ratios(rows[0], rows[1])
        over_ridge = ratios_over(rows, "ridge")
    if args.json:
        print(json.dumps({"rows": rows, "ratios_source_over_course": source_over_course,
                          "ratios_over_ridge": over_ridge} if args.compare else rows[0]))
        return 0
    print(format_rows(rows))
    if args.compare:
        print("source / course: " + ", ".join(f"{k} x{v:.1f}" for k, v in source_over_course.items()))
        for approach, ratios in over_ridge.items():
            print(f"{approach} / ridge: " + ", ".join(f"{k} x{v:.3g}" for k, v in ratios.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
