"""The sequence-sum task of a source article, as many-to-one regression done right (notebook 05).

Data as in the article: ``X = np.random.rand(1000, 10, 1)``, ``y = X.sum(axis=1)``:
1,000 sequences of 10 uniform values, each target the sum of its sequence.
80% train, 20% test. The model: ``nn.LSTM(1, H, num_layers=2, batch_first=True)``
and a linear head on the last step's output, trained with shuffled
mini-batches and Adam, judged by its test MSE against predicting the
training mean (whose MSE is about Var(y) = 10/12).

The model centres its input (x - 0.5) and predicts the target in
standardised units, y = mean + std * head(h_T), with mean and std of the
training targets. ``standardize=False`` trains the same model on raw
targets (about 5), to show what that costs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from ..validate import as_array, check_in_range, check_int

N_SAMPLES, STEPS = 1000, 10


def make_data(n: int = N_SAMPLES, steps: int = STEPS, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``(X, y)``: X (n, steps, 1) uniform in [0, 1), y (n, 1) the sum over the steps.

    Drawn as ``np.random.seed(seed); np.random.rand(n, steps, 1)`` would,
    without touching NumPy's global random state.
    """
    n = check_int("n", n, 2, 10**7)
    steps = check_int("steps", steps, 1, 10**5)
    X = np.random.RandomState(seed).rand(n, steps, 1)
    return X, X.sum(axis=1)


def split(X, y, test_fraction: float = 0.2, seed: int = 42) -> tuple[np.ndarray, ...]:
    """``X_train, X_test, y_train, y_test`` after a seeded shuffle (what sklearn's train_test_split does)."""
    X = as_array("X", X, ndim=3)
    y = as_array("y", y, ndim=2)
    if len(X) != len(y):
        raise ValueError(f"X and y must have the same number of samples, got {len(X)} and {len(y)}")
    test_fraction = check_in_range("test_fraction", test_fraction, 0.01, 0.99)
    order = np.random.default_rng(seed).permutation(len(X))
    n_test = max(1, round(test_fraction * len(X)))
    test, train = order[:n_test], order[n_test:]
    return X[train], X[test], y[train], y[test]


def mean_baseline_mse(y_train, y_test) -> float:
    """Test MSE of predicting the training targets' mean for every sequence."""
    y_train, y_test = as_array("y_train", y_train), as_array("y_test", y_test)
    return float(np.mean((y_test - y_train.mean()) ** 2))


class SumLSTM(nn.Module):
    """Two-layer ``batch_first`` LSTM and a linear head on the last step: (B, T, 1) -> (B, 1)."""

    def __init__(self, hidden: int = 32, num_layers: int = 2, x_shift: float = 0.0, y_mean: float = 0.0,
                 y_std: float = 1.0):
        super().__init__()
        self.lstm = nn.LSTM(1, hidden, num_layers, batch_first=True)
        self.head = nn.Linear(hidden, 1)
        self.x_shift, self.y_mean, self.y_std = x_shift, y_mean, y_std

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, _ = self.lstm(x - self.x_shift)        # out: (B, T, H), the top layer at every step
        return self.y_mean + self.y_std * self.head(out[:, -1])   # the last step only: many-to-one


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

    def __post_init__(self):
        check_int("hidden", self.hidden, 1, 4096)
        check_int("num_layers", self.num_layers, 1, 16)
        check_int("epochs", self.epochs, 1, 10_000)
        check_int("batch_size", self.batch_size, 1, 100_000)
        check_in_range("lr", self.lr, 1e-6, 1.0)


@dataclass
class SumResult:
    """A trained model, its training loss per epoch and its test MSE beside the mean baseline."""

    model: SumLSTM
    train_losses: list[float] = field(default_factory=list)
    test_mse: float = float("nan")
    baseline_mse: float = float("nan")
    seconds: float = 0.0


def train(config: SumConfig = SumConfig(), data: tuple[np.ndarray, ...] | None = None,
          progress: bool = True) -> SumResult:
    """Train ``SumLSTM`` on ``data`` = split(*make_data()) by default, seeded by ``config.seed``.

    Each epoch shuffles the training set with a seeded generator and takes
    one Adam step per mini-batch of ``config.batch_size``.
    """
    X_tr, X_te, y_tr, y_te = split(*make_data()) if data is None else data
    torch.manual_seed(config.seed)
    shift, mean, std = (0.5, float(y_tr.mean()), float(y_tr.std())) if config.standardize else (0.0, 0.0, 1.0)
    model = SumLSTM(config.hidden, config.num_layers, shift, mean, std)
    X, y = torch.from_numpy(X_tr).float(), torch.from_numpy(y_tr).float()   # NumPy float64 -> torch float32
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr)
    gen = torch.Generator().manual_seed(config.seed)
    result = SumResult(model)
    start = time.perf_counter()
    for _ in tqdm(range(config.epochs), desc="sequence sum", unit="epoch", disable=not progress):
        order, total = torch.randperm(len(X), generator=gen), 0.0
        for k in range(0, len(X), config.batch_size):
            batch = order[k:k + config.batch_size]
            loss = nn.functional.mse_loss(model(X[batch]), y[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        result.train_losses.append(total / len(X))
    result.seconds = time.perf_counter() - start
    result.test_mse = float(np.mean((predict(model, X_te) - y_te) ** 2))
    result.baseline_mse = mean_baseline_mse(y_tr, y_te)
    return result


def predict(model: nn.Module, X) -> np.ndarray:
    """The model's predictions for X (n, T, 1) as a float64 array (n, 1)."""
    X = as_array("X", X, ndim=3)
    if X.shape[-1] != 1:
        raise ValueError(f"X must have shape (n, T, 1), got {X.shape}")
    model.eval()
    with torch.no_grad():
        out = model(torch.from_numpy(X).float()).double().numpy()
    model.train()
    return out
