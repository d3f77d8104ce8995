"""The sequence-sum task of a source article, as many-to-one regression done right (notebook 05).

Data as in the article: ``X = np.random.rand(1000, 10, 1)``, ``y = X.sum(axis=1)``:
1,000 sequences of 10 uniform values, each target the sum of its sequence.
80% train, 20% test. The model: ``nn.LSTM(1, H, num_layers=2, batch_first=True)``
and a linear head on the last step's output, trained with shuffled
mini-batches and Adam, judged by its test MSE against predicting the
training mean (whose MSE is about Var(y) = 10/12).

The model, a ``torchkit.RecurrentRegressor``, centres its input
(x - ``X_SHIFT``, the mean 0.5 of a uniform [0, 1) value) and predicts the
target in standardised units, y = mean + std * head(h_T), with mean and std
of the training targets. ``standardize=False`` trains the same model on raw
targets (about 5), to show what that costs.

``KERAS_ARTICLE`` is the article's Keras model translated line by line
(``LSTM(50)`` + ``Dense(1)``, Adam at 1e-3, batches of 32, 10 epochs, raw
targets); ``init="keras"`` starts it from Keras's default initialisation
(``keras_initialise``) instead of torch's.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from .. import torchkit
from ..torchkit import RecurrentRegressor, seed_everything, set_forget_bias, train_epoch
from ..validate import (
    SEED_MAX,
    as_array,
    check_bool,
    check_choice,
    check_in_range,
    check_instance,
    check_int,
    check_seed,
    check_size,
)

N_SAMPLES, STEPS = 1000, 10
X_SHIFT = 0.5                 # the mean of a uniform [0, 1) input: what the model subtracts from x
MAX_NUMBERS = 50_000_000      # values in X (n * steps): it must fit in memory
INITS = ("torch", "keras")    # torch's default initialisation, or Keras's (``keras_initialise``)


def make_data(n: int = N_SAMPLES, steps: int = STEPS, seed: int | None = 0) -> tuple[np.ndarray, np.ndarray]:
    """``(X, y)``: X (n, steps, 1) uniform in [0, 1), y (n, 1) the sum over the steps.

    Drawn as ``np.random.seed(seed); np.random.rand(n, steps, 1)`` would,
    without touching NumPy's global random state (``seed=None``: fresh randomness).
    """
    n = check_int("n", n, 2, 10**7)
    steps = check_int("steps", steps, 1, 10**5)
    check_size("n * steps", n * steps, MAX_NUMBERS, "values: X must fit in memory")
    X = np.random.RandomState(check_seed("seed", seed)).rand(n, steps, 1)
    return X, X.sum(axis=1)


def _check_xy(X, y, suffix: str = "") -> tuple[np.ndarray, np.ndarray]:
    """X (n, T, 1) and y (n, 1) as float arrays, or a ValueError naming the one that does not fit."""
    X, y = as_array(f"X{suffix}", X, ndim=3), as_array(f"y{suffix}", y, ndim=2)
    if X.shape[-1] != 1:
        raise ValueError(f"X{suffix} must have shape (n, T, 1), got {X.shape}")
    if y.shape != (len(X), 1):
        raise ValueError(f"y{suffix} must have shape (n, 1) = ({len(X)}, 1) to match X{suffix}, got {y.shape}")
    return X, y


def split(X, y, test_fraction: float = 0.2, seed: int | None = 42) -> tuple[np.ndarray, ...]:
    """``X_train, X_test, y_train, y_test`` after a seeded shuffle (what sklearn's train_test_split does)."""
    X, y = _check_xy(X, y)
    test_fraction = check_in_range("test_fraction", test_fraction, 0.01, 0.99)
    order = np.random.default_rng(check_seed("seed", seed)).permutation(len(X))
    n_test = max(1, round(test_fraction * len(X)))
    test, train = order[:n_test], order[n_test:]
    return X[train], X[test], y[train], y[test]


def mean_baseline_mse(y_train, y_test) -> float:
    """Test MSE of predicting the training targets' mean for every sequence; each y is (n, 1)."""
    y_train, y_test = as_array("y_train", y_train, ndim=2), as_array("y_test", y_test, ndim=2)
    for name, y in (("y_train", y_train), ("y_test", y_test)):
        if y.shape[1] != 1 or len(y) == 0:
            raise ValueError(f"{name} must have shape (n, 1) with n >= 1, got {y.shape}")
    return float(np.mean((y_test - y_train.mean()) ** 2))


@dataclass(frozen=True)
class SumConfig:
    """Training settings; the defaults reach a test MSE below 1% of the mean baseline in a few seconds."""

    hidden: int = 32
    num_layers: int = 2
    epochs: int = 20
    batch_size: int = 32
    lr: float = 1e-2
    standardize: bool = True
    seed: int = 0
    init: str = "torch"

    def __post_init__(self):
        check_int("hidden", self.hidden, 1, 4096)
        check_int("num_layers", self.num_layers, 1, 16)
        check_int("epochs", self.epochs, 1, 10_000)
        check_int("batch_size", self.batch_size, 1, 100_000)
        check_in_range("lr", self.lr, 1e-6, 1.0)
        check_bool("standardize", self.standardize)
        check_int("seed", self.seed, 0, SEED_MAX)
        check_choice("init", self.init, INITS)


# The source article's Keras model, line by line: LSTM(50) on 1 feature, Dense(1), compile(optimizer='adam',
# loss='mse') (Adam's learning rate 1e-3), fit(epochs=10, batch_size=32), on the raw targets.
KERAS_ARTICLE = SumConfig(hidden=50, num_layers=1, epochs=10, batch_size=32, lr=1e-3, standardize=False)


def keras_initialise(model: RecurrentRegressor) -> RecurrentRegressor:
    """Give an LSTM ``RecurrentRegressor`` the initialisation Keras's ``LSTM`` and ``Dense`` layers start from.

    Keras's defaults: the input kernel ``glorot_uniform``, the recurrent
    kernel ``orthogonal``, the (single) bias zero except the forget-gate
    block, which ``unit_forget_bias=True`` sets to 1; ``Dense``: kernel
    ``glorot_uniform``, bias zero. Keras's kernel (D, 4H) is torch's
    ``weight_ih`` (4H, D) transposed, with the same fans, and Keras's gate
    order (i, f, c, o) is torch's (i, f, g, o). torch has two biases: both
    are zeroed, then ``torchkit.set_forget_bias(lstm, 1.0)`` writes 1 into
    ``bias_ih[H:2H]`` and 0 into ``bias_hh[H:2H]``, so their sum is 1. Returns ``model``.
    """
    check_instance("model", model, RecurrentRegressor, "a torchkit.RecurrentRegressor")
    lstm = model.rnn
    if not isinstance(lstm, nn.LSTM) or not lstm.bias or lstm.bidirectional or lstm.proj_size:
        raise ValueError(f"model must hold a one-directional nn.LSTM with biases and no projection, got {lstm!r}")
    with torch.no_grad():
        for layer in range(lstm.num_layers):
            nn.init.xavier_uniform_(getattr(lstm, f"weight_ih_l{layer}"))       # glorot_uniform
            nn.init.orthogonal_(getattr(lstm, f"weight_hh_l{layer}"))           # orthogonal
            getattr(lstm, f"bias_ih_l{layer}").zero_()
            getattr(lstm, f"bias_hh_l{layer}").zero_()
        set_forget_bias(lstm, 1.0)                                             # unit_forget_bias=True
        nn.init.xavier_uniform_(model.head.weight)                             # Dense: glorot_uniform, zero bias
        model.head.bias.zero_()
    return model


@dataclass
class SumResult:
    """A trained model, its training loss per epoch and its test MSE beside the mean baseline."""

    model: RecurrentRegressor
    train_losses: list[float] = field(default_factory=list)
    test_mse: float = float("nan")
    baseline_mse: float = float("nan")
    seconds: float = 0.0


def _check_data(data) -> tuple[np.ndarray, ...]:
    if not isinstance(data, (tuple, list)) or len(data) != 4:
        raise TypeError(f"data must be (X_train, X_test, y_train, y_test) as split returns it, "
                        f"got {type(data).__name__}")
    X_tr, y_tr = _check_xy(data[0], data[2], "_train")
    X_te, y_te = _check_xy(data[1], data[3], "_test")
    if X_te.shape[1] != X_tr.shape[1]:
        raise ValueError(f"X_test must have the steps of X_train ({X_tr.shape[1]}), got {X_te.shape}")
    if len(X_tr) < 2 or float(y_tr.std()) == 0.0:
        raise ValueError(f"y_train must hold at least two different targets, got {len(y_tr)} "
                         f"with spread {float(y_tr.std())}")
    return X_tr, X_te, y_tr, y_te


def train(config: SumConfig = SumConfig(), data: tuple[np.ndarray, ...] | None = None,
          progress: bool = True) -> SumResult:
    """Train an LSTM ``RecurrentRegressor`` (two layers by default) on ``data`` = split(*make_data()) by default.

    Started from torch's initialisation, or Keras's with ``config.init="keras"``. Seeded by ``config.seed``; each epoch shuffles the training set with a
    seeded generator and takes one Adam step per mini-batch of
    ``config.batch_size`` (``torchkit.train_epoch``).
    """
    check_instance("config", config, SumConfig, "a SumConfig")
    X_tr, X_te, y_tr, y_te = _check_data(split(*make_data()) if data is None else data)
    progress = check_bool("progress", progress)
    seed_everything(config.seed, torch.device("cpu"))
    shift, mean, std = (X_SHIFT, float(y_tr.mean()), float(y_tr.std())) if config.standardize else (0.0, 0.0, 1.0)
    model = RecurrentRegressor("lstm", 1, config.hidden, config.num_layers, x_shift=shift, y_mean=mean, y_std=std)
    if config.init == "keras":
        keras_initialise(model)
    X, y = torch.from_numpy(X_tr).float(), torch.from_numpy(y_tr).float()   # NumPy float64 -> torch float32
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr)
    gen = torch.Generator().manual_seed(config.seed)
    result = SumResult(model)
    start = time.perf_counter()
    for _ in tqdm(range(config.epochs), desc="sequence sum", unit="epoch", disable=not progress):
        result.train_losses.append(train_epoch(model, nn.functional.mse_loss, X, y, optimizer, config.batch_size, gen))
    result.seconds = time.perf_counter() - start
    result.test_mse = torchkit.mean_loss(model, _mse64, torch.from_numpy(X_te).float(), torch.from_numpy(y_te))
    result.baseline_mse = mean_baseline_mse(y_tr, y_te)
    return result


def _mse64(prediction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """MSE in float64 against the float64 targets (the prediction is float32)."""
    return ((prediction.double() - target) ** 2).mean()


def predict(model: nn.Module, X) -> np.ndarray:
    """The model's predictions for X (n, T, 1) as a float64 array (n, 1); the model's mode is kept."""
    check_instance("model", model, nn.Module, "a torch.nn.Module")
    if isinstance(X, torch.Tensor):
        X = X.detach().cpu().numpy()
    X = as_array("X", X, ndim=3)
    if X.shape[-1] != 1:
        raise ValueError(f"X must have shape (n, T, 1), got {X.shape}")
    return torchkit.predict(model, torch.from_numpy(X).float()).double().numpy()
