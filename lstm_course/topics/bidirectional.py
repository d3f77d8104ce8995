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
  the symbol ``k`` steps ahead, a task only right-hand context can solve
  (by a second direction, or by a one-directional tagger whose output is
  delayed, ``Tagger(delay=...)``).
- ``both_sides_data``, ``majority_rate``: tag 1 where x_{t-1} = x_{t+1}, a
  task that needs both sides at once: the two directions of a layer meet
  only in what reads them both (a second layer, not a linear head).
- ``multiply_adds_per_step``, ``seconds_per_step``: the cost, counted and timed.
- ``summary``: one vector per sequence, what the exercise's checker
  (``classroom.checkers.check_summary``) compares with.
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
from ..torchkit import best_times, seed_everything, train_epoch
from ..validate import (
    SEED_MAX,
    as_array,
    check_bool,
    check_in_range,
    check_instance,
    check_int,
    check_seed,
    check_shape,
    check_size,
)

IGNORE = -100   # the label of positions with nothing k steps ahead; cross_entropy's default ignore_index
MAX_NUMBERS = 50_000_000   # symbols in one data set, numbers in one timed input: they must fit in memory


# ---------------------------------------------------------------- built from two LSTMs

def split_directions(module: nn.LSTM) -> list[tuple[NumpyLSTM, NumpyLSTM]]:
    """One (forward, backward) pair of one-layer ``NumpyLSTM``s per layer of a bidirectional ``nn.LSTM``.

    The backward LSTM of layer l holds the module's ``*_l{l}_reverse`` weights.
    """
    check_instance("module", module, nn.LSTM, "a torch.nn.LSTM")
    if not module.bidirectional or module.proj_size or module.batch_first:
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
    check_instance("pairs", pairs, (list, tuple), "a list of (forward, backward) NumpyLSTM pairs")
    if not pairs:
        raise ValueError("pairs must hold at least one (forward, backward) pair of NumpyLSTMs")
    for pair in pairs:
        if not (isinstance(pair, tuple) and len(pair) == 2 and all(isinstance(m, NumpyLSTM) for m in pair)):
            raise TypeError(f"pairs must hold (forward, backward) tuples of NumpyLSTMs, got {pair!r}")
    x = as_array("x", x, ndim=3)
    if x.shape[-1] != pairs[0][0].input_size:
        raise ValueError(f"x must have {pairs[0][0].input_size} features on its last axis, got shape {x.shape}")
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
    check_instance("tokens", tokens, (list, tuple, str), "a list of tokens")
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
    check_size("n * steps", n * steps, MAX_NUMBERS, "symbols: the data set must fit in memory")
    x = torch.from_numpy(np.random.default_rng(check_seed("seed", seed)).integers(0, vocab, (n, steps)))
    y = torch.full_like(x, IGNORE)
    y[:, :steps - k] = x[:, k:]
    return x, y


def both_sides_data(n: int = 2000, steps: int = 12, vocab: int = 4,
                    seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Random symbol sequences tagged 1 where the neighbours on both sides agree: ``(x, y)``.

    x (n, steps) symbols in [0, vocab); y (n, steps) with
    y[:, t] = 1 if x[:, t - 1] == x[:, t + 1] else 0, and ``IGNORE`` at the
    first and last position (one neighbour is missing). A fraction 1/vocab
    of the tags are 1.
    """
    n = check_int("n", n, 1, 10**7)
    steps = check_int("steps", steps, 3, 10**5)
    vocab = check_int("vocab", vocab, 2, 10**4)
    check_size("n * steps", n * steps, MAX_NUMBERS, "symbols: the data set must fit in memory")
    x = torch.from_numpy(np.random.default_rng(check_seed("seed", seed)).integers(0, vocab, (n, steps)))
    y = torch.full_like(x, IGNORE)
    y[:, 1:-1] = (x[:, :-2] == x[:, 2:]).long()
    return x, y


def majority_rate(y: torch.Tensor) -> float:
    """The accuracy of always answering the most common tag of ``y`` (its tagged positions, y != IGNORE)."""
    check_instance("y", y, torch.Tensor, "an integer torch tensor of tags")
    tags = y[y != IGNORE]
    if y.is_floating_point() or tags.numel() == 0 or bool((tags < 0).any()):
        raise ValueError(f"y must be an integer tensor with at least one tag >= 0 (not IGNORE), got {y.dtype} "
                         f"{tuple(y.shape)}")
    return float(torch.bincount(tags).max()) / tags.numel()


class Tagger(nn.Module):
    """One-hot symbols -> ``nn.LSTM(batch_first=True)`` -> a linear layer per position: (B, T) -> (B, T, classes).

    ``num_layers`` stacked LSTM layers, one or two directions. ``delay`` (one
    direction only) delays the output: the LSTM reads ``delay`` blank steps
    (zero vectors) after the sequence, and the tag of position t is read
    from its state after step t + delay, so it has seen x_{t+1} .. x_{t+delay}.
    ``classes`` (default ``vocab``): the number of tags.
    """

    def __init__(self, vocab: int, hidden: int = 16, bidirectional: bool = False, num_layers: int = 1,
                 delay: int = 0, classes: int | None = None):
        super().__init__()
        self.vocab = check_int("vocab", vocab, 2, 10**4)
        self.classes = self.vocab if classes is None else check_int("classes", classes, 2, 10**4)
        hidden, bidirectional = check_int("hidden", hidden, 1, 4096), check_bool("bidirectional", bidirectional)
        self.delay = check_int("delay", delay, 0, 1000)
        if bidirectional and self.delay:
            raise ValueError(f"delay is for a one-directional tagger (bidirectional=False), got delay={delay} "
                             f"with bidirectional=True")
        self.lstm = nn.LSTM(vocab, hidden, check_int("num_layers", num_layers, 1, 16), batch_first=True,
                            bidirectional=bidirectional)
        self.head = nn.Linear(hidden * (2 if bidirectional else 1), self.classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = nn.functional.one_hot(x, self.vocab).float()                      # (B, T, vocab)
        blanks = x.new_zeros(x.shape[0], self.delay, self.vocab)               # (B, delay, vocab)
        out, _ = self.lstm(torch.cat([x, blanks], dim=1))                      # (B, T + delay, n_dir * H)
        return self.head(out[:, self.delay:])                                  # tag t read after step t + delay


def _check_tags(x, y, vocab: int | None = None, classes: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """x (n, T) symbols in [0, vocab) and y (n, T) tags in [0, classes) or IGNORE, both integer tensors."""
    for name, t in (("x", x), ("y", y)):
        check_instance(name, t, torch.Tensor, "an integer torch tensor (n, T) of symbols")
        if t.dim() != 2 or t.is_floating_point() or t.is_complex() or t.dtype == torch.bool:
            raise ValueError(f"{name} must be a 2-D integer tensor of symbols, got {t.dtype} {tuple(t.shape)}")
    if y.shape != x.shape or len(x) == 0:
        raise ValueError(f"x and y must have the same shape (n, T) with n >= 1, got {tuple(x.shape)} and {tuple(y.shape)}")
    top = int(x.max()) + 1 if vocab is None else vocab
    if int(x.min()) < 0 or int(x.max()) >= top:
        raise ValueError(f"x must hold symbols in [0, {top}), got values in [{int(x.min())}, {int(x.max())}]")
    classes = top if classes is None else classes
    if bool(((y < 0) & (y != IGNORE)).any()) or int(y.max()) >= classes:
        raise ValueError(f"y must hold tags in [0, {classes}) or IGNORE = {IGNORE}")
    return x, y


def accuracy(model: Tagger, x: torch.Tensor, y: torch.Tensor) -> float:
    """The fraction of tagged positions (y != IGNORE) whose most likely tag is the right one."""
    check_instance("model", model, Tagger, "a Tagger")
    x, y = _check_tags(x, y, model.vocab, model.classes)
    tagged = y != IGNORE
    if not bool(tagged.any()):
        raise ValueError("y must tag at least one position (all are IGNORE)")
    with torch.no_grad():
        guess = model(x).argmax(-1)
    return float((guess == y)[tagged].float().mean())


@dataclass
class TaggerResult:
    """A trained tagger with its test accuracy per epoch and the training time."""

    model: Tagger
    accuracies: list[float] = field(default_factory=list)
    seconds: float = 0.0


def train_tagger(bidirectional: bool, data: tuple[torch.Tensor, torch.Tensor] | None = None, hidden: int = 16,
                 epochs: int = 6, lr: float = 1e-2, batch_size: int = 32, n_train: int = 1600, seed: int = 0,
                 progress: bool = True, num_layers: int = 1, delay: int = 0,
                 classes: int | None = None) -> TaggerResult:
    """Train a ``Tagger`` on the first ``n_train`` sequences of ``data`` (``lookahead_data()`` by default).

    The rest are the test set. Adam on the cross-entropy of the tagged
    positions, seeded, one ``torchkit.train_epoch`` per epoch. ``num_layers``,
    ``delay`` and ``classes`` (default: the number of symbols) go to ``Tagger``.
    """
    bidirectional = check_bool("bidirectional", bidirectional)
    if data is None:
        data = lookahead_data()
    if not isinstance(data, (tuple, list)) or len(data) != 2:
        raise TypeError(f"data must be (x, y) as lookahead_data returns it, got {type(data).__name__}")
    x, y = _check_tags(*data, classes=classes)
    if len(x) < 2:
        raise ValueError(f"data must hold at least 2 sequences (training and test), got {len(x)}")
    n_train = check_int("n_train", n_train, 1, len(x) - 1)
    hidden, epochs = check_int("hidden", hidden, 1, 4096), check_int("epochs", epochs, 1, 10_000)
    lr, batch_size = check_in_range("lr", lr, 1e-6, 1.0), check_int("batch_size", batch_size, 1, n_train)
    seed, progress = check_int("seed", seed, 0, SEED_MAX), check_bool("progress", progress)
    seed_everything(seed, torch.device("cpu"))
    model = Tagger(int(x.max()) + 1, hidden, bidirectional, num_layers, delay, classes)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    gen = torch.Generator().manual_seed(seed)

    def loss_fn(logits: torch.Tensor, tags: torch.Tensor) -> torch.Tensor:
        return nn.functional.cross_entropy(logits.reshape(-1, model.classes), tags.reshape(-1), ignore_index=IGNORE)

    result = TaggerResult(model)
    start = time.perf_counter()
    name = ("bidirectional" if bidirectional else "unidirectional") + (f", delay {delay}" if delay else "")
    for _ in tqdm(range(epochs), desc=f"{name}, {num_layers} layer(s)", unit="epoch", disable=not progress):
        train_epoch(model, loss_fn, x[:n_train], y[:n_train], optimizer, batch_size, gen)
        result.accuracies.append(accuracy(model, x[n_train:], y[n_train:]))
    result.seconds = time.perf_counter() - start
    return result


# ---------------------------------------------------------------- the cost

def multiply_adds_per_step(input_size: int, hidden_size: int, bidirectional: bool = False) -> int:
    """Multiply-adds of one layer for one step of one sequence: 4H(D + H) per direction (the matrix products)."""
    D = check_int("input_size", input_size, 1, 10**6)
    H = check_int("hidden_size", hidden_size, 1, 10**6)
    return (2 if check_bool("bidirectional", bidirectional) else 1) * 4 * H * (D + H)


def seconds_per_step(module: nn.LSTM, steps: int = 200, batch: int = 16, repeats: int = 5) -> float:
    """The best of ``repeats`` timed forward passes over (steps, batch, D) random input, divided by ``steps``."""
    check_instance("module", module, nn.LSTM, "a torch.nn.LSTM")
    steps = check_int("steps", steps, 1, 10**6)
    batch = check_int("batch", batch, 1, 10**6)
    repeats = check_int("repeats", repeats, 1, 1000)
    check_size("steps * batch * input_size", steps * batch * module.input_size, MAX_NUMBERS,
               "numbers: the random input must fit in memory")
    shape = (batch, steps, module.input_size) if module.batch_first else (steps, batch, module.input_size)
    x = torch.randn(shape, generator=torch.Generator().manual_seed(0), dtype=module.weight_ih_l0.dtype)

    def forward() -> None:
        with torch.no_grad():
            module(x)

    return best_times({"forward": forward}, repeats)["forward"] / steps


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
    if 0 in output.shape:
        raise ValueError(f"output must hold at least one step and one sequence (T, B >= 1), got shape {output.shape}")
    return np.concatenate([output[-1, :, :H], output[0, :, H:]], axis=-1)


