"""The bidirectional LSTM built from two NumPy LSTMs, a task that needs it, and its cost (notebook 06).

A bidirectional layer is two independent LSTMs over the same sequence: the
forward one reads x_1 ... x_T, the backward one reads x_T ... x_1. The
backward outputs come out in reading order and are reversed back, so that
position t holds both directions' view of step t; the two are concatenated
on the feature axis, [forward, backward]. h_n stacks the final states
layer by layer, forward then backward. Arrays are time-major: x (T, B, D).

- ``split_directions``: a torch ``nn.LSTM(bidirectional=True)`` as one
  (forward, backward) pair of ``NumpyLSTM``s per layer.
- ``bi_lstm``: those pairs run as torch runs them.
- ``lookahead_data``, ``Tagger``, ``train_tagger``: tag each position with
  the symbol ``k`` steps ahead, a task only right-hand context can solve.
- ``multiply_adds_per_step``, ``seconds_per_step``: the cost, counted and timed.
- ``check_summary``: the checker of the notebook's exercise.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from ..interop import numpy_lstm_from_torch
from ..lstm.numpy_lstm import NumpyLSTM
from ..validate import as_array, check_int, check_shape

IGNORE = -100   # the label of positions with nothing k steps ahead; cross_entropy's default ignore_index


# ---------------------------------------------------------------- built from two LSTMs

def split_directions(module: nn.LSTM) -> list[tuple[NumpyLSTM, NumpyLSTM]]:
    """One (forward, backward) pair of one-layer ``NumpyLSTM``s per layer of a bidirectional ``nn.LSTM``.

    The backward LSTM of layer l holds the module's ``*_l{l}_reverse`` weights.
    """
    if not isinstance(module, nn.LSTM) or not module.bidirectional or module.proj_size or module.batch_first:
        raise ValueError(f"module must be a time-major nn.LSTM(bidirectional=True) without projection, got {module!r}")
    params = dict(module.named_parameters())
    pairs = []
    for layer in range(module.num_layers):
        D_l = module.input_size if layer == 0 else 2 * module.hidden_size
        pair = []
        for suffix in (f"_l{layer}", f"_l{layer}_reverse"):
            one = nn.LSTM(D_l, module.hidden_size, bias=module.bias, dtype=module.weight_ih_l0.dtype)
            with torch.no_grad():
                for name, p in one.named_parameters():          # weight_ih_l0, weight_hh_l0, bias_ih_l0, ...
                    p.copy_(params[name[:-len("_l0")] + suffix])
            pair.append(numpy_lstm_from_torch(one))
        pairs.append((pair[0], pair[1]))
    return pairs


def bi_lstm(pairs: list[tuple[NumpyLSTM, NumpyLSTM]], x) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """Run the pairs of ``split_directions`` from zero states: ``out, (h_n, c_n)`` as torch returns them.

    x (T, B, D); out (T, B, 2H) = [forward, backward] on the last axis;
    h_n and c_n (2L, B, H), rows 2l (forward) and 2l + 1 (backward) for layer l.
    """
    if not pairs:
        raise ValueError("pairs must hold at least one (forward, backward) pair of NumpyLSTMs")
    x = as_array("x", x, ndim=3)
    h_n, c_n = [], []
    for fwd, bwd in pairs:
        out_f, (h_f, c_f) = fwd(x)                     # reads x_1 ... x_T
        out_b, (h_b, c_b) = bwd(x[::-1])               # reads x_T ... x_1
        x = np.concatenate([out_f, out_b[::-1]], axis=-1)   # reverse back: row t is step t for both
        h_n += [h_f[0], h_b[0]]
        c_n += [c_f[0], c_b[0]]
    return x, (np.stack(h_n), np.stack(c_n))


def reading(tokens: list[str]) -> list[tuple[list[str], list[str]]]:
    """For each position t: the tokens the forward direction has read (x_1..x_t) and the backward one (x_t..x_T)."""
    if not tokens:
        raise ValueError("tokens must hold at least one token")
    return [(list(tokens[:t + 1]), list(tokens[t:])) for t in range(len(tokens))]


# ---------------------------------------------------------------- a task that needs the right-hand context

def lookahead_data(n: int = 2000, steps: int = 12, vocab: int = 4, k: int = 2,
                   seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Random symbol sequences tagged by the symbol ``k`` steps ahead: ``(x, y)``.

    x (n, steps) symbols in [0, vocab); y (n, steps) with y[:, t] = x[:, t + k],
    and ``IGNORE`` for the last k positions (nothing ahead to read).
    """
    n = check_int("n", n, 1, 10**7)
    steps = check_int("steps", steps, 2, 10**5)
    vocab = check_int("vocab", vocab, 2, 10**4)
    k = check_int("k", k, 1, steps - 1)
    x = torch.from_numpy(np.random.default_rng(seed).integers(0, vocab, (n, steps)))
    y = torch.full_like(x, IGNORE)
    y[:, :steps - k] = x[:, k:]
    return x, y


class Tagger(nn.Module):
    """One-hot symbols -> ``nn.LSTM(batch_first=True)`` -> a linear layer per position: (B, T) -> (B, T, vocab)."""

    def __init__(self, vocab: int, hidden: int = 16, bidirectional: bool = False):
        super().__init__()
        self.vocab = vocab
        self.lstm = nn.LSTM(vocab, hidden, batch_first=True, bidirectional=bidirectional)
        self.head = nn.Linear(hidden * (2 if bidirectional else 1), vocab)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, _ = self.lstm(nn.functional.one_hot(x, self.vocab).float())
        return self.head(out)


def accuracy(model: Tagger, x: torch.Tensor, y: torch.Tensor) -> float:
    """The fraction of tagged positions (y != IGNORE) whose most likely symbol is the right one."""
    with torch.no_grad():
        guess = model(x).argmax(-1)
    tagged = y != IGNORE
    return float((guess == y)[tagged].float().mean())


@dataclass
class TaggerResult:
    """A trained tagger with its test accuracy per epoch and the training time."""

    model: Tagger
    accuracies: list[float] = field(default_factory=list)
    seconds: float = 0.0


def train_tagger(bidirectional: bool, data: tuple[torch.Tensor, torch.Tensor] | None = None, hidden: int = 16,
                 epochs: int = 6, lr: float = 1e-2, batch_size: int = 32, n_train: int = 1600, seed: int = 0,
                 progress: bool = True) -> TaggerResult:
    """Train a ``Tagger`` on the first ``n_train`` sequences of ``data`` (``lookahead_data()`` by default).

    The rest are the test set. Adam on the cross-entropy of the tagged positions, seeded.
    """
    x, y = lookahead_data() if data is None else data
    n_train = check_int("n_train", n_train, 1, len(x) - 1)
    torch.manual_seed(seed)
    model = Tagger(int(x.max()) + 1, hidden, bidirectional)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    gen = torch.Generator().manual_seed(seed)
    result = TaggerResult(model)
    start = time.perf_counter()
    name = "bidirectional" if bidirectional else "unidirectional"
    for _ in tqdm(range(epochs), desc=name, unit="epoch", disable=not progress):
        order = torch.randperm(n_train, generator=gen)
        for k in range(0, n_train, batch_size):
            batch = order[k:k + batch_size]
            logits = model(x[batch])
            loss = nn.functional.cross_entropy(logits.reshape(-1, model.vocab), y[batch].reshape(-1),
                                               ignore_index=IGNORE)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        result.accuracies.append(accuracy(model, x[n_train:], y[n_train:]))
    result.seconds = time.perf_counter() - start
    return result


# ---------------------------------------------------------------- the cost

def multiply_adds_per_step(input_size: int, hidden_size: int, bidirectional: bool = False) -> int:
    """Multiply-adds of one layer for one step of one sequence: 4H(D + H) per direction (the matrix products)."""
    D = check_int("input_size", input_size, 1, 10**6)
    H = check_int("hidden_size", hidden_size, 1, 10**6)
    return (2 if bidirectional else 1) * 4 * H * (D + H)


def seconds_per_step(module: nn.LSTM, steps: int = 200, batch: int = 16, repeats: int = 5) -> float:
    """The best of ``repeats`` timed forward passes over (steps, batch, D) random input, divided by ``steps``."""
    if not isinstance(module, nn.LSTM):
        raise ValueError(f"module must be a torch.nn.LSTM, got {type(module).__name__}")
    steps = check_int("steps", steps, 1, 10**6)
    batch = check_int("batch", batch, 1, 10**6)
    repeats = check_int("repeats", repeats, 1, 1000)
    shape = (batch, steps, module.input_size) if module.batch_first else (steps, batch, module.input_size)
    x = torch.randn(shape, generator=torch.Generator().manual_seed(0))
    best = float("inf")
    with torch.no_grad():
        for _ in range(repeats):
            start = time.perf_counter()
            module(x)
            best = min(best, time.perf_counter() - start)
    return best / steps


# ---------------------------------------------------------------- the exercise

def summary(output, hidden_size: int) -> np.ndarray:
    """One vector per sequence from a bidirectional layer's output (T, B, 2H): (B, 2H).

    [forward after the last step, backward after the first step], the
    same as concatenating h_n[-2] and h_n[-1]. output[-1] is not it: there
    the backward half has read only x_T.
    """
    output = as_array("output", output, ndim=3)
    H = check_int("hidden_size", hidden_size, 1, 10**6)
    check_shape("output", output, (*output.shape[:2], 2 * H))
    return np.concatenate([output[-1, :, :H], output[0, :, H:]], axis=-1)


