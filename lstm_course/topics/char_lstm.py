"""What the cells of a character-level LSTM learn (notebook 09).

The text is generated, seeded: one arithmetic expression per line, over the
letters ``a b x y z`` and the operators ``+ - *``, with round and square
brackets nested up to ``max_depth`` deep, and string literals in double
quotes whose brackets do not count::

    [("[[x[a")]-("x )]b"*(y*[[y*"[zzz("]]+[z*[z*a+z]-a]))-z

To predict the next character a model must know how deep it is (a line
ends only at depth 0), which bracket closes next, and whether it is inside
a quote. ``text_features`` measures three features of every character,
each *after* reading it (what the cell state can hold at that step):
``depth`` (open brackets outside quotes), ``in_quote`` (1 inside a
literal, the opening quote included) and ``line_position`` (characters
since the last newline).

``CharLSTM`` reads one-hot characters with a ``torchkit.make_recurrent``
LSTM and a linear head that scores the next character at every step;
``train`` fits it with ``torchkit.train_epoch``. ``unit_activity`` re-runs
the trained layer with the course's NumPy ``sequence_forward``, so every
unit's gates, c_t and h_t are at hand; ``correlations`` and
``unit_table`` find the units that track a feature (the experiment of
Karpathy, Johnson & Fei-Fei, "Visualizing and Understanding Recurrent
Networks", 2016); ``ender_accuracy`` measures where the counting breaks.
"""

from __future__ import annotations

import copy
import dataclasses
import time
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from ..interop import numpy_lstm_from_torch
from ..torchkit import make_recurrent, predict, seed_everything, train_epoch
from ..validate import (
    SEED_MAX,
    as_array,
    check_bool,
    check_in_range,
    check_instance,
    check_int,
    check_seed,
    check_size,
)

LETTERS = "abxyz"
OPERATORS = "+-*"
CLOSER = {"(": ")", "[": "]"}         # each opening bracket and the one that closes it
QUOTE = '"'
ALPHABET = "\n \"()*+-[]" + LETTERS  # every character the generator writes, in a fixed order (index = id)
ENDERS = ")]\n"                       # what may end a bracket group or a line: which one is right needs the depth
FEATURES = ("depth", "in_quote", "line_position")
SIGNALS = ("c_t", "h_t", "i_t", "f_t", "g_t", "o_t")
MAX_CHARS = 5_000_000                 # characters of one generated text: it must fit in memory
NEST = 0.45                           # chance that a term is a bracket group (while below max_depth)
STRING = 0.15                         # chance that a term is a string literal


# ---------------------------------------------------------------- the text

def _expression(rng: np.random.Generator, depth: int, max_depth: int, out: list[str]) -> None:
    """Append one expression: 1 to 3 terms joined by operators; a term is a group, a string or a letter."""
    for k in range(1 + int(rng.integers(0, 3))):
        if k:
            out.append(OPERATORS[rng.integers(len(OPERATORS))])
        r = rng.random()
        if depth < max_depth and r < NEST:
            opening = "(" if rng.random() < 0.5 else "["
            out.append(opening)
            _expression(rng, depth + 1, max_depth, out)
            out.append(CLOSER[opening])
        elif r < NEST + STRING:
            inside = rng.choice(list(LETTERS + "()[] "), size=int(rng.integers(1, 6)))
            out.append(QUOTE + "".join(inside) + QUOTE)
        else:
            out.append(LETTERS[rng.integers(len(LETTERS))])


def make_text(n_chars: int = 60_000, max_depth: int = 4, seed: int | None = 0) -> str:
    """Whole lines of generated expressions, at least ``n_chars`` characters, brackets nested at most ``max_depth``."""
    n_chars = check_int("n_chars", n_chars, 1, MAX_CHARS)
    max_depth = check_int("max_depth", max_depth, 0, 50)
    rng = np.random.default_rng(check_seed("seed", seed))
    lines, total = [], 0
    while total < n_chars:
        line: list[str] = []
        _expression(rng, 0, max_depth, line)
        lines.append("".join(line) + "\n")
        total += len(lines[-1])
    return "".join(lines)


def check_text(name: str, text, min_chars: int = 1) -> str:
    """Return ``text`` if it is a str of at least ``min_chars`` characters, all from ``ALPHABET``; else raise."""
    check_instance(name, text, str, "a str of the generated language")
    check_size(f"len({name})", len(text), MAX_CHARS, "characters: the text must fit in memory")
    if len(text) < min_chars:
        raise ValueError(f"{name} must hold at least {min_chars} characters, got {len(text)}")
    bad = sorted(set(text) - set(ALPHABET))
    if bad:
        raise ValueError(f"{name} may only hold the characters {ALPHABET!r}, got {''.join(bad)[:20]!r}")
    return text


def encode(text: str) -> np.ndarray:
    """The characters' ids in ``ALPHABET``: (len(text),) int64."""
    check_text("text", text)
    lookup = np.zeros(128, dtype=np.int64)
    lookup[[ord(ch) for ch in ALPHABET]] = np.arange(len(ALPHABET))
    return lookup[np.frombuffer(text.encode("ascii"), dtype=np.uint8)]


def nesting_depth(text: str) -> np.ndarray:
    """How many brackets are open after each character, brackets inside quotes not counted: (len(text),) float64.

    ``nesting_depth('(a)')`` is ``[1, 1, 0]``; ``nesting_depth('("(")')`` is ``[1, 1, 1, 1, 0]``.
    """
    check_text("text", text)
    depth, d, quoted = np.zeros(len(text)), 0, False
    for t, ch in enumerate(text):
        if ch == QUOTE:
            quoted = not quoted
        elif not quoted and ch in "([":
            d += 1
        elif not quoted and ch in ")]":
            d -= 1
        depth[t] = d
    return depth


def text_features(text: str) -> dict[str, np.ndarray]:
    """``depth``, ``in_quote`` (1.0 or 0.0) and ``line_position`` of every character, after reading it: (len(text),) each."""
    check_text("text", text)
    in_quote = np.cumsum([ch == QUOTE for ch in text]) % 2          # the opening quote is inside, the closing one not
    position, p = np.zeros(len(text)), 0
    for t, ch in enumerate(text):
        p = 0 if ch == "\n" else p + 1
        position[t] = p
    return {"depth": nesting_depth(text), "in_quote": in_quote.astype(float), "line_position": position}


# ---------------------------------------------------------------- the model

class CharLSTM(nn.Module):
    """One-hot characters -> one LSTM layer (``make_recurrent``) -> scores of the next character.

    ids (B, T) int64 -> logits (B, T, len(ALPHABET)).
    """

    def __init__(self, hidden: int = 32):
        super().__init__()
        self.vocab = len(ALPHABET)
        self.rnn = make_recurrent("lstm", self.vocab, check_int("hidden", hidden, 1, 1024))
        self.head = nn.Linear(hidden, self.vocab)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        check_instance("ids", ids, torch.Tensor, "an int64 tensor of character ids, shape (batch, steps)")
        if ids.dim() != 2 or ids.dtype != torch.int64 or 0 in ids.shape:
            raise ValueError(f"ids must be an int64 tensor of shape (batch, steps), both >= 1, "
                             f"got {ids.dtype} of shape {tuple(ids.shape)}")
        out, _ = self.rnn(nn.functional.one_hot(ids, self.vocab).to(self.head.weight.dtype))
        return self.head(out)


def next_char_loss(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy of the next character: logits (B, T, V), targets (B, T) ids."""
    return nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))


@dataclass(frozen=True)
class CharConfig:
    """Training settings; the defaults take 480 Adam steps (1,000 chunks of 100 characters, 30 epochs of 16 mini-batches)."""

    hidden: int = 32
    n_chars: int = 100_000
    max_depth: int = 4
    chunk: int = 100
    batch_size: int = 64
    epochs: int = 30
    lr: float = 0.02
    seed: int = 0

    def __post_init__(self):
        check_int("hidden", self.hidden, 1, 1024)
        check_int("n_chars", self.n_chars, 2, MAX_CHARS)
        check_int("max_depth", self.max_depth, 0, 50)
        check_int("chunk", self.chunk, 1, 10_000)
        check_int("batch_size", self.batch_size, 1, 100_000)
        check_int("epochs", self.epochs, 1, 10_000)
        check_in_range("lr", self.lr, 1e-6, 1.0)
        check_int("seed", self.seed, 0, SEED_MAX)
        if self.n_chars <= self.chunk:
            raise ValueError(f"n_chars ({self.n_chars}) must exceed chunk ({self.chunk}): one chunk and its targets")


@dataclass
class CharResult:
    """A trained model, the text it read, its loss per epoch and the seconds training took."""

    model: CharLSTM
    text: str
    losses: list[float] = field(default_factory=list)
    seconds: float = 0.0


def chunks(text: str, chunk: int) -> tuple[torch.Tensor, torch.Tensor]:
    """``(X, Y)``: the text cut into rows of ``chunk`` ids, and the same shifted by one (the next characters): (N, chunk) each."""
    ids = torch.from_numpy(encode(check_text("text", text, 2)))
    chunk = check_int("chunk", chunk, 1, len(ids) - 1)
    n = (len(ids) - 1) // chunk
    return ids[:n * chunk].view(n, chunk), ids[1:n * chunk + 1].view(n, chunk)


def train(config: CharConfig = CharConfig(), progress: bool = True) -> CharResult:
    """Generate ``make_text(config.n_chars, config.max_depth, config.seed)`` and fit a ``CharLSTM`` to it.

    Seeded by ``config.seed``: the text, the initial weights and the order
    of the chunks; one Adam step per mini-batch (``torchkit.train_epoch``),
    gradient norm clipped to 1.
    """
    check_instance("config", config, CharConfig, "a CharConfig")
    progress = check_bool("progress", progress)
    text = make_text(config.n_chars, config.max_depth, config.seed)
    X, Y = chunks(text, config.chunk)
    seed_everything(config.seed, torch.device("cpu"))
    model = CharLSTM(config.hidden)
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr)
    gen = torch.Generator().manual_seed(config.seed)
    result = CharResult(model, text)
    start = time.perf_counter()
    for _ in tqdm(range(config.epochs), desc="char LSTM", unit="epoch", disable=not progress):
        result.losses.append(train_epoch(model, next_char_loss, X, Y, optimizer, config.batch_size, gen, clip=1.0))
    result.seconds = time.perf_counter() - start
    return result


# ---------------------------------------------------------------- what the units do

@dataclass(frozen=True, eq=False)
class UnitActivity:
    """Every unit's signals over a text, after reading each character: c and h (T, H), gates (T, 4, H) in (i, f, g, o).

    Compared and hashed by identity (its arrays are not hashable), so a view may cache what it computed from one.
    """

    text: str
    c: np.ndarray
    h: np.ndarray
    gates: np.ndarray

    def __post_init__(self):
        check_text("text", self.text)
        T = len(self.text)
        c, h = as_array("c", self.c, 2), as_array("h", self.h, 2)
        gates = as_array("gates", self.gates, 3)
        H = c.shape[1]
        for name, arr, shape in (("c", c, (T, H)), ("h", h, (T, H)), ("gates", gates, (T, 4, H))):
            if arr.shape != shape or H == 0:
                raise ValueError(f"{name} must have shape {shape} (one row per character of text, H >= 1 units), "
                                 f"got {arr.shape}")
        object.__setattr__(self, "c", c)
        object.__setattr__(self, "h", h)
        object.__setattr__(self, "gates", gates)

    def signal(self, name: str) -> np.ndarray:
        """One of ``SIGNALS`` ('c_t', 'h_t', 'i_t', 'f_t', 'g_t', 'o_t') for every unit: (T, H)."""
        if name not in SIGNALS:
            raise ValueError(f"name must be one of {SIGNALS}, got {name!r}")
        if name == "c_t":
            return self.c
        if name == "h_t":
            return self.h
        return self.gates[:, "ifgo".index(name[0])]


def unit_activity(model: CharLSTM, text: str) -> UnitActivity:
    """Run the model's LSTM layer over ``text`` from a zero state as the course's ``NumpyLSTM`` (float64)."""
    check_instance("model", model, CharLSTM, "a CharLSTM")
    text = check_text("text", text)
    net = numpy_lstm_from_torch(copy.deepcopy(model.rnn).cpu().double())   # the same weights, in NumPy
    x = np.eye(len(ALPHABET))[encode(text)][None]                          # (1, T, V) one-hot, batch of one
    net(x if net.batch_first else x.transpose(1, 0, 2))
    trace = {name: values[:, 0] for name, values in net.trace().items()}   # (T, H) each
    gates = np.stack([trace[name] for name in ("i_t", "f_t", "g_t", "o_t")], axis=1)   # (T, 4, H)
    return UnitActivity(text, trace["c_t"].copy(), trace["h_t"].copy(), gates)


def correlations(signals, feature) -> np.ndarray:
    """Pearson's r between each unit's signal and a feature: signals (T, H), feature (T,) -> (H,).

    A unit (or a feature) that never changes has no correlation: its r is 0.
    """
    signals, feature = as_array("signals", signals, 2), as_array("feature", feature, 1)
    if len(feature) != len(signals) or len(feature) < 2:
        raise ValueError(f"feature must have one value per step of signals (T = {len(signals)} >= 2), "
                         f"got {len(feature)}")
    s, f = signals - signals.mean(axis=0), feature - feature.mean()
    norm = np.sqrt((s ** 2).sum(axis=0) * (f ** 2).sum())
    return np.divide(s.T @ f, norm, out=np.zeros(signals.shape[1]), where=norm > 0)


def unit_table(activity: UnitActivity, signal: str = "c_t") -> dict[str, np.ndarray]:
    """r of every unit's ``signal`` with every feature of ``FEATURES``: {feature: (H,)}."""
    check_instance("activity", activity, UnitActivity, "a UnitActivity (from unit_activity)")
    values = activity.signal(signal)
    return {name: correlations(values, f) for name, f in text_features(activity.text).items()}


def best_units(table: dict[str, np.ndarray]) -> dict[str, tuple[int, float]]:
    """For each feature, the unit with the largest |r| and its r: {feature: (unit, r)}."""
    check_instance("table", table, dict, "a dict of feature -> (H,) correlations (from unit_table)")
    out = {}
    for name, r in table.items():
        r = as_array(f"table[{name!r}]", r, 1)
        k = int(np.argmax(np.abs(r)))
        out[name] = (k, float(r[k]))
    return out


# ---------------------------------------------------------------- where the counting breaks

def _by_depth(right: np.ndarray, asked: np.ndarray, depth: np.ndarray) -> dict[int, tuple[float, int]]:
    """{depth: (fraction right, count)} over the steps where ``asked`` holds."""
    return {int(d): (float(right[asked & (depth == d)].mean()), int((asked & (depth == d)).sum()))
            for d in np.unique(depth[asked])}


def ender_accuracy(model: CharLSTM, text: str) -> dict[str, dict[int, tuple[float, int]]]:
    """Where the model's counting holds, by the depth after the character just read: {depth: (accuracy, count)}.

    Two questions, asked at every character (outside quotes) whose next
    character is an ender (``)``, ``]`` or a newline):

    - ``"count"``: does the model say rightly whether the line ends here
      (P(newline) against P(``)``) + P(``]``))? Right: a newline at depth 0,
      a closing bracket deeper down. It needs the depth.
    - ``"kind"``: where a bracket closes, does the model rank the right one
      (``)`` or ``]``) above the other? It needs the innermost open bracket.
    """
    check_instance("model", model, CharLSTM, "a CharLSTM")
    text = check_text("text", text, 2)
    ids = encode(text)
    prob = torch.softmax(predict(model, torch.from_numpy(ids[None, :-1]))[0], dim=-1).double().numpy()  # (T-1, V)
    newline, round_, square = (ALPHABET.index(ch) for ch in "\n)]")
    nxt, depth = ids[1:], nesting_depth(text)[:-1].astype(int)
    asked = np.isin(nxt, [newline, round_, square]) & (text_features(text)["in_quote"][:-1] == 0)
    says_end = prob[:, newline] > prob[:, round_] + prob[:, square]
    closes = asked & (nxt != newline)
    says_round = prob[:, round_] > prob[:, square]
    return {"count": _by_depth(says_end == (nxt == newline), asked, depth),
            "kind": _by_depth(says_round == (nxt == round_), closes, depth)}


# ---------------------------------------------------------------- over seeds

UNREADABLE_R = 0.3    # a unit whose |r| with every feature stays below this has no readable role here


def measure(model: CharLSTM, probe: str, deep: str) -> dict[str, float]:
    """One trained model's figures: the best |r| of c_t with each feature, the units below ``UNREADABLE_R``
    with all of them, and the count accuracy (``ender_accuracy``) at depth 0 and at its worst depth on ``deep``."""
    check_instance("model", model, CharLSTM, "a CharLSTM")
    table = unit_table(unit_activity(model, probe))
    count = {d: a for d, (a, _) in ender_accuracy(model, deep)["count"].items()}
    worst = min(count, key=count.get)
    strongest = np.max(np.abs(np.stack(list(table.values()))), axis=0)
    return {**{f"r_{name}": abs(r) for name, (_, r) in best_units(table).items()},
            "unreadable": int(np.sum(strongest < UNREADABLE_R)), "count_0": count.get(0, float("nan")),
            "worst_depth": worst, "worst_count": count[worst]}


def seed_rows(seeds: tuple[int, ...], probe: str, deep: str, config: CharConfig = CharConfig(),
              progress: bool = True) -> list[dict[str, float]]:
    """Train ``config`` once per seed and ``measure`` each model: one row per seed, with its training seconds."""
    check_instance("seeds", seeds, (tuple, list), "a tuple of seeds")
    seeds = [check_int("seeds[k]", s, 0, SEED_MAX) for s in seeds]
    check_instance("config", config, CharConfig, "a CharConfig")
    rows = []
    for seed in tqdm(seeds, desc="seeds", unit="seed", disable=not check_bool("progress", progress)):
        result = train(dataclasses.replace(config, seed=seed), progress=False)
        rows.append({"seed": seed, **measure(result.model, probe, deep), "seconds": result.seconds})
    return rows
