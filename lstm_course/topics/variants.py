"""What each part of the LSTM is worth, measured: one cell with switches, and Greff's ablations at small scale (notebook 08).

The history as switches on one cell, ``VariantLSTM`` (torch's gate order
i, f, g, o; every switch off is a gate stuck open at 1, or an activation
replaced by the identity):

- ``forget_gate=False``: the 1997 cell of Hochreiter & Schmidhuber, a
  constant error carousel c_t = c_{t-1} + i_t g_t with self-weight fixed at 1;
- the defaults: the forget gate of Gers, Schmidhuber & Cummins (2000), the
  cell ``torch.nn.LSTM`` computes ("vanilla" here, without peepholes);
- ``peepholes=True``: Gers & Schmidhuber (2000), the gates also read the cell
  (i_t and f_t from c_{t-1}, o_t from the new c_t);
- ``coupled=True``: CIFG, one gate for writing and forgetting, f_t = 1 - i_t;
- ``input_gate``, ``output_gate``, ``input_activation``,
  ``output_activation`` off: Greff, Srivastava, Koutník, Steunebrink &
  Schmidhuber's ablations NIG, NOG, NIAF, NOAF ("LSTM: A Search Space
  Odyssey", 2017); ``forget_bias``: the forget-gate bias that Jozefowicz,
  Zaremba & Sutskever (2015) found closes most of the gap to the GRU (Cho et
  al., 2014; here ``torch.nn.GRU``).

The equations live once, in ``variant_step``, which reads the switches as
numbers (1 on, 0 off). ``VariantLSTM`` holds only the weight blocks its
variant uses, so ``parameter_count`` counts a variant's real parameters.
``ablation`` trains every variant with the same budget, seeds and batches on
two tasks: the adding problem (notebook 04's data) and Hochreiter &
Schmidhuber's temporal order task (a sequence classification). To fit a
notebook's minute, the LSTM variants of one run train together as one
``Bank`` (copies stacked on a leading axis, each switch a 0/1 number per
copy), which computes exactly what each copy would alone (tested).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Callable, NamedTuple, Sequence

import torch
from torch import nn
from tqdm.auto import tqdm

from ..torchkit import check_generator, make_recurrent, optimizer_step, predict, seed_everything, spread
from ..validate import (
    as_tensor,
    check_bool,
    check_choice,
    check_in_range,
    check_instance,
    check_int,
    check_real,
)
from .adding_problem import MEAN_MSE, TEST_SEED, adding_batch

SWITCHES = ("input_gate", "forget_gate", "output_gate", "input_activation", "output_activation", "coupled",
            "peepholes")
VARIANTS: dict[str, dict] = {                          # name -> VariantLSTM switches (GRU: torch.nn.GRU)
    "vanilla": {},                                     # Gers, Schmidhuber & Cummins 2000 = torch.nn.LSTM
    "NIG": {"input_gate": False},                      # no input gate: i_t = 1
    "NFG": {"forget_gate": False},                     # no forget gate: the 1997 carousel, f_t = 1
    "NOG": {"output_gate": False},                     # no output gate: o_t = 1
    "NIAF": {"input_activation": False},               # no input activation: g_t = a_g, not tanh(a_g)
    "NOAF": {"output_activation": False},              # no output activation: h_t = o_t c_t
    "CIFG": {"coupled": True},                         # coupled input and forget gate: f_t = 1 - i_t
    "PH": {"peepholes": True},                         # peepholes (Gers & Schmidhuber 2000)
    "FB1": {"forget_bias": 1.0},                       # vanilla, forget-gate bias 1 at the start (Jozefowicz 2015)
    "GRU": {},                                         # Cho et al. 2014, torch.nn.GRU
}
TASKS = ("adding", "order")
ORDER_SYMBOLS = 6             # temporal order: 4 distractors, then X and Y (one-hot channels)
ORDER_CLASSES = 4             # XX, XY, YX, YY
MAX_T = 1000
MAX_HIDDEN = 512
MAX_STEPS = 100_000


# ---------------------------------------------------------------- the equations, once

class Switches(NamedTuple):
    """The switches as numbers: 1.0 on, 0.0 off; floats for one cell, (K, 1, 1) tensors for a ``Bank``'s copies."""

    i: float | torch.Tensor        # input gate
    f: float | torch.Tensor        # forget gate
    o: float | torch.Tensor        # output gate
    g_act: float | torch.Tensor    # tanh on the candidate g_t
    h_act: float | torch.Tensor    # tanh on c_t in h_t
    cifg: float | torch.Tensor     # f_t = 1 - i_t


def variant_step(a: torch.Tensor, c_prev: torch.Tensor, peep: tuple, s: Switches):
    """One step of the cell with switches: returns h_t, c_t and the gates (i_t, f_t, g_t, o_t), each (..., H).

    ``a`` (..., 4H): the pre-activations W_ih x_t + b_ih + W_hh h_{t-1} + b_hh
    in the order (i, f, g, o), 0 in a block the variant lacks; ``peep``
    (p_i, p_f, p_o), each broadcasting against c (0 without peepholes).
    """
    a_i, a_f, a_g, a_o = a.chunk(4, dim=-1)
    p_i, p_f, p_o = peep
    i_t = s.i * torch.sigmoid(a_i + p_i * c_prev) + (1 - s.i)                # off: i_t = 1
    f_own = s.f * torch.sigmoid(a_f + p_f * c_prev) + (1 - s.f)              # off: f_t = 1, the 1997 carousel
    f_t = s.cifg * (1 - i_t) + (1 - s.cifg) * f_own                          # CIFG: f_t = 1 - i_t
    g_t = s.g_act * torch.tanh(a_g) + (1 - s.g_act) * a_g                    # off: g_t = a_g
    c_t = f_t * c_prev + i_t * g_t
    o_t = s.o * torch.sigmoid(a_o + p_o * c_t) + (1 - s.o)                   # peephole from the new c_t
    h_t = o_t * (s.h_act * torch.tanh(c_t) + (1 - s.h_act) * c_t)            # off: h_t = o_t c_t
    return h_t, c_t, (i_t, f_t, g_t, o_t)


# ---------------------------------------------------------------- the cell with switches

class VariantLSTM(nn.Module):
    """One LSTM layer with switches (batch_first): x (B, T, D) -> out (B, T, H), (h_T, c_T) each (B, H).

    Holds only the blocks its variant uses, in torch's order: ``weight_ih``
    (n H, D), ``weight_hh`` (n H, H), ``bias_ih`` and ``bias_hh`` (n H,) with
    n the number of blocks among (i, f, g, o) (``blocks``), and with
    peepholes ``peephole`` (m, H), one row per sigmoid gate it has. Initialised
    like ``torch.nn.LSTM``: uniform in ±1/sqrt(H), in the same order, so with
    every switch at its default and the same seed the weights are torch's.
    """

    def __init__(self, input_size: int, hidden: int, *, input_gate: bool = True, forget_gate: bool = True,
                 output_gate: bool = True, input_activation: bool = True, output_activation: bool = True,
                 coupled: bool = False, peepholes: bool = False, forget_bias: float | None = None):
        super().__init__()
        D, H = check_int("input_size", input_size, 1, 10_000), check_int("hidden", hidden, 1, MAX_HIDDEN)
        flags = {name: check_bool(name, value) for name, value in zip(SWITCHES, (
            input_gate, forget_gate, output_gate, input_activation, output_activation, coupled, peepholes))}
        if coupled and not (input_gate and forget_gate):
            raise ValueError("coupled=True makes the forget gate 1 - i_t: it needs input_gate=True and "
                             f"forget_gate=True, got input_gate={input_gate}, forget_gate={forget_gate}")
        self.input_size, self.hidden_size, self.switches = D, H, flags
        has_f = forget_gate and not coupled
        self.blocks = "".join(b for b, on in zip("ifgo", (input_gate, has_f, True, output_gate)) if on)
        self.gated = "".join(b for b in "ifo" if b in self.blocks)       # the sigmoid gates a peephole may feed
        n = len(self.blocks)
        self.weight_ih = nn.Parameter(torch.empty(n * H, D))
        self.weight_hh = nn.Parameter(torch.empty(n * H, H))
        self.bias_ih = nn.Parameter(torch.empty(n * H))
        self.bias_hh = nn.Parameter(torch.empty(n * H))
        self.peephole = nn.Parameter(torch.empty(len(self.gated), H)) if peepholes and self.gated else None
        bound = 1 / math.sqrt(H)
        with torch.no_grad():
            for p in self.parameters():
                p.uniform_(-bound, bound)
            if forget_bias is not None:
                if not has_f:
                    raise ValueError(f"forget_bias needs a forget gate of its own, got forget_gate={forget_gate}, "
                                     f"coupled={coupled}")
                k = self.blocks.index("f")
                self.bias_ih[k * H:(k + 1) * H] = check_real("forget_bias", forget_bias, -100.0, 100.0)
                self.bias_hh[k * H:(k + 1) * H] = 0.0
        self.forget_bias = forget_bias

    def step_switches(self) -> Switches:
        """This variant's switches as numbers (1.0 on, 0.0 off) for ``variant_step``."""
        s = self.switches
        return Switches(*(float(v) for v in (s["input_gate"], s["forget_gate"] and not s["coupled"],
                                               s["output_gate"], s["input_activation"], s["output_activation"],
                                               s["coupled"])))

    def full(self, a: torch.Tensor) -> torch.Tensor:
        """The blocks this variant has, (..., n H), placed in the full (i, f, g, o) layout (..., 4H), 0 elsewhere."""
        parts = a.chunk(len(self.blocks), dim=-1)
        zero = torch.zeros_like(parts[0])
        return torch.cat([parts[self.blocks.index(b)] if b in self.blocks else zero for b in "ifgo"], dim=-1)

    def peeps(self) -> tuple:
        """(p_i, p_f, p_o), each (H,) or 0.0 where this variant has no such peephole."""
        if self.peephole is None:
            return (0.0, 0.0, 0.0)
        return tuple(self.peephole[self.gated.index(b)] if b in self.gated else 0.0 for b in "ifo")

    def step(self, x_t: torch.Tensor, h_prev: torch.Tensor, c_prev: torch.Tensor):
        """One step: x_t (..., D), h_prev and c_prev (..., H) -> h_t, c_t, (i_t, f_t, g_t, o_t), each (..., H).

        A gate the variant lacks comes out as its stand-in (1, or 1 - i_t for CIFG's f_t).
        """
        a = x_t @ self.weight_ih.T + self.bias_ih + h_prev @ self.weight_hh.T + self.bias_hh
        return variant_step(self.full(a), c_prev, self.peeps(), self.step_switches())

    def trace(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        """Every step's signals over x (B, T, D) from a zero state: {'i_t', 'f_t', 'g_t', 'o_t', 'c_t', 'h_t'}, each (B, T, H)."""
        x = self._check_x(x)
        h = c = x.new_zeros(x.shape[0], self.hidden_size)
        steps = []
        for x_t in x.unbind(1):                     # unbind, not x[:, t]: one gradient buffer, not one per step
            h, c, gates = self.step(x_t, h, c)
            steps.append((*gates, c, h))
        return {name: torch.stack(values, dim=1) for name, values in zip(("i_t", "f_t", "g_t", "o_t", "c_t", "h_t"),
                                                                         zip(*steps))}

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        """x (B, T, D) -> out (B, T, H) (h_t at every step), (h_T, c_T): torch.nn.LSTM's return, one layer."""
        signals = self.trace(x)
        return signals["h_t"], (signals["h_t"][:, -1], signals["c_t"][:, -1])

    def _check_x(self, x) -> torch.Tensor:
        check_instance("x", x, torch.Tensor, f"a torch.Tensor of shape (batch, steps, {self.input_size})")
        x = as_tensor("x", x, ndim=3, dtype=self.weight_ih.dtype)
        if x.shape[-1] != self.input_size or 0 in x.shape:
            raise ValueError(f"x must be a tensor of shape (batch, steps, {self.input_size}) with batch >= 1 and "
                             f"steps >= 1, got shape {tuple(x.shape)}")
        return x

    def with_switches(self, **switches) -> "VariantLSTM":
        """A new cell with some switches changed (``SWITCHES`` as keywords), sharing this one's weights where both have them.

        A block the new variant lacks is dropped; one it has that this cell
        lacks starts at 0 (a peephole of weight 0 changes nothing).
        """
        for name in switches:
            check_choice("switch", name, SWITCHES)
        cell = VariantLSTM(self.input_size, self.hidden_size, **{**self.switches, **switches})
        H = self.hidden_size
        with torch.no_grad():
            for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                mine, theirs = getattr(self, name), getattr(cell, name)
                theirs.zero_()
                for k, b in enumerate(cell.blocks):
                    if b in self.blocks:
                        j = self.blocks.index(b)
                        theirs[k * H:(k + 1) * H] = mine[j * H:(j + 1) * H]
            if cell.peephole is not None:
                cell.peephole.zero_()
                for k, b in enumerate(cell.gated):
                    if self.peephole is not None and b in self.gated:
                        cell.peephole[k] = self.peephole[self.gated.index(b)]
        return cell.to(self.weight_ih.dtype)


def check_variant(variant: str) -> str:
    """Return ``variant`` if it is one of ``VARIANTS``; else raise ``ValueError``."""
    return check_choice("variant", variant, tuple(VARIANTS))


def make_variant(variant: str, input_size: int, hidden: int) -> VariantLSTM | nn.GRU:
    """A layer of ``variant`` (one of ``VARIANTS``): a ``VariantLSTM``, or for 'GRU' ``torchkit.make_recurrent('gru', ...)``."""
    if check_variant(variant) == "GRU":
        return make_recurrent("gru", input_size, check_int("hidden", hidden, 1, MAX_HIDDEN))
    return VariantLSTM(input_size, hidden, **VARIANTS[variant])


def parameter_count(variant: str, input_size: int, hidden: int) -> int:
    """Parameters of one layer of ``variant`` (no head), counted from the module."""
    return sum(p.numel() for p in make_variant(variant, input_size, hidden).parameters())


class VariantModel(nn.Module):
    """A layer of any variant read out by a linear head at the last step: x (B, T, D) -> (B, out_size)."""

    def __init__(self, variant: str, input_size: int, hidden: int, out_size: int = 1):
        super().__init__()
        self.variant = check_variant(variant)
        self.rnn = make_variant(variant, input_size, hidden)
        self.head = nn.Linear(hidden, check_int("out_size", out_size, 1, 1000))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if isinstance(self.rnn, VariantLSTM):
            x = self.rnn._check_x(x)
        else:
            check_instance("x", x, torch.Tensor, "a torch.Tensor of shape (batch, steps, features)")
        out, _ = self.rnn(x)
        return self.head(out[:, -1])


# ---------------------------------------------------------------- many copies at once

class Bank(nn.Module):
    """K ``VariantModel``s of ``VariantLSTM`` variants stacked on a leading axis: x (K, B, T, D) -> (K, B, out).

    Each copy holds all four blocks and three peepholes; a block its variant
    lacks is 0 and its switch is 0, so it gets no gradient and Adam (which
    works entry by entry) never moves it. Summing the copies' losses gives
    each copy its own gradient; ``clip`` clips each copy's norm on its own.
    So one ``Bank`` step is K separate training steps, done in one loop over time.
    """

    def __init__(self, models: Sequence[VariantModel]):
        super().__init__()
        check_instance("models", models, (list, tuple), "a list of VariantModel")
        if not models:
            raise ValueError("models must hold at least one VariantModel, got an empty list")
        for m in models:
            check_instance("models[]", m, VariantModel, "a VariantModel")
            if not isinstance(m.rnn, VariantLSTM):
                raise ValueError(f"models[] must hold VariantLSTM layers (not {m.variant!r}): a Bank stacks the "
                                 "LSTM variants; train a GRU on its own")
        sizes = {(m.rnn.input_size, m.rnn.hidden_size, m.head.out_features) for m in models}
        if len(sizes) != 1:
            raise ValueError(f"models must share input size, hidden size and output size, got {sorted(sizes)}")
        with torch.no_grad():
            full = [(m.rnn.full(m.rnn.weight_ih.T).T, m.rnn.full(m.rnn.weight_hh.T).T, m.rnn.full(m.rnn.bias_ih),
                     m.rnn.full(m.rnn.bias_hh), self._peepholes(m.rnn), m.head.weight, m.head.bias) for m in models]
        names = ("weight_ih", "weight_hh", "bias_ih", "bias_hh", "peephole", "head_weight", "head_bias")
        for k, name in enumerate(names):
            setattr(self, name, nn.Parameter(torch.stack([f[k] for f in full]).clone()))
        self.register_buffer("on", torch.tensor([m.rnn.step_switches() for m in models]))      # (K, 6)
        has_peep = [[float(m.rnn.peephole is not None and b in m.rnn.gated)] for m in models for b in "ifo"]
        self.register_buffer("peep_on", torch.tensor(has_peep).view(len(models), 3, 1))       # (K, 3, 1)
        self.variants = [m.variant for m in models]

    @staticmethod
    def _peepholes(cell: VariantLSTM) -> torch.Tensor:
        """The cell's peepholes (p_i, p_f, p_o) as a (3, H) tensor, 0 where it has none."""
        H, dtype = cell.hidden_size, cell.weight_ih.dtype
        return torch.stack([torch.as_tensor(p, dtype=dtype).expand(H) for p in cell.peeps()])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (K, B, T, D): copy k reads x[k] -> (K, B, out_size)."""
        K, D = len(self.variants), self.weight_ih.shape[-1]
        check_instance("x", x, torch.Tensor, f"a torch.Tensor of shape ({K}, batch, steps, {D})")
        x = as_tensor("x", x, ndim=4, dtype=self.weight_ih.dtype)
        if x.shape[0] != K or x.shape[-1] != D or 0 in x.shape:
            raise ValueError(f"x must have shape ({K}, batch, steps, {D}), one batch per copy, batch and steps >= 1, "
                             f"got {tuple(x.shape)}")
        B = x.shape[1]
        s = Switches(*(self.on[:, k].view(K, 1, 1) for k in range(6)))
        peep = tuple(self.peephole[:, k:k + 1] * self.peep_on[:, k:k + 1] for k in range(3))   # (K, 1, H) each
        z = x @ self.weight_ih.transpose(1, 2).unsqueeze(1) + (self.bias_ih + self.bias_hh)[:, None, None]
        h = c = x.new_zeros(K, B, self.weight_hh.shape[-1])
        for z_t in z.unbind(2):
            h, c, _ = variant_step(z_t + h @ self.weight_hh.transpose(1, 2), c, peep, s)
        return h @ self.head_weight.transpose(1, 2) + self.head_bias[:, None]

    def clip_(self, clip: float) -> None:
        """Scale each copy's gradient to norm at most ``clip``, as ``nn.utils.clip_grad_norm_`` would alone."""
        grads = [p.grad for p in self.parameters() if p.grad is not None]
        norms = torch.sqrt(sum(g.pow(2).flatten(1).sum(dim=1) for g in grads))           # (K,)
        scale = (clip / (norms + 1e-6)).clamp(max=1.0)
        for g in grads:
            g.mul_(scale.view(-1, *([1] * (g.dim() - 1))))

    def model(self, k: int) -> VariantModel:
        """Copy ``k`` as a ``VariantModel`` of its own, with the weights it has now."""
        k = check_int("k", k, 0, len(self.variants) - 1)
        D, H, O = self.weight_ih.shape[-1], self.weight_hh.shape[-1], self.head_weight.shape[1]
        out = VariantModel(self.variants[k], D, H, O)
        cell = out.rnn
        rows = torch.cat([torch.arange(H) + H * "ifgo".index(b) for b in cell.blocks])
        with torch.no_grad():
            for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                getattr(cell, name).copy_(getattr(self, name)[k][rows])
            if cell.peephole is not None:
                for j, b in enumerate(cell.gated):
                    cell.peephole[j] = self.peephole[k, "ifo".index(b)]
            out.head.weight.copy_(self.head_weight[k])
            out.head.bias.copy_(self.head_bias[k])
        return out


# ---------------------------------------------------------------- the second task

def order_batch(T: int, batch: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Temporal order (after Hochreiter & Schmidhuber 1997, experiment 6a): x (batch, T, 6) one-hot, y (batch,) in 0..3.

    Every step shows one of 4 distractor symbols, except two: an X or a Y at
    a step in [T/10, 2T/10) and another in [T/2, 6T/10). The class is the
    order seen: XX 0, XY 1, YX 2, YY 3. Guessing scores an error of 3/4.
    """
    T, batch = check_int("T", T, 10, MAX_T), check_int("batch", batch, 1, 100_000)
    generator = check_generator(generator)
    symbols = torch.randint(0, 4, (batch, T), generator=generator)
    first = torch.randint(T // 10, 2 * T // 10, (batch,), generator=generator)
    second = torch.randint(T // 2, 6 * T // 10, (batch,), generator=generator)
    which = torch.randint(0, 2, (batch, 2), generator=generator)             # 0: X, 1: Y
    rows = torch.arange(batch)
    symbols[rows, first] = 4 + which[:, 0]
    symbols[rows, second] = 4 + which[:, 1]
    return nn.functional.one_hot(symbols, ORDER_SYMBOLS).float(), 2 * which[:, 0] + which[:, 1]


def task_batch(task: str, T: int, batch: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """A batch of ``task``: 'adding' (notebook 04's ``adding_batch``: x (B, T, 2), y (B, 1)) or 'order' (``order_batch``)."""
    return (adding_batch if check_choice("task", task, TASKS) == "adding" else order_batch)(T, batch, generator)


TASK_SHAPES = {"adding": (2, 1), "order": (ORDER_SYMBOLS, ORDER_CLASSES)}    # input channels, outputs
CHANCE = {"adding": MEAN_MSE, "order": 0.75}                                  # the score of knowing nothing


def loss_fn(task: str) -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor]:
    """The training loss of ``task``: mean squared error (adding) or cross-entropy (order)."""
    if check_choice("task", task, TASKS) == "adding":
        return lambda prediction, y: ((prediction - y) ** 2).mean()
    return lambda logits, y: nn.functional.cross_entropy(logits.reshape(-1, ORDER_CLASSES), y.reshape(-1))


def score(task: str, prediction: torch.Tensor, y: torch.Tensor) -> float:
    """Test score, lower is better: MSE (adding; the mean guess scores 1/6) or error rate (order; guessing 3/4)."""
    if check_choice("task", task, TASKS) == "adding":
        return float(((prediction - y) ** 2).mean())
    return float((prediction.argmax(dim=-1) != y).float().mean())


# ---------------------------------------------------------------- the measurement

@dataclass(frozen=True)
class Budget:
    """The budget every variant gets: Adam steps of ``batch`` fresh examples, length ``T``, ``hidden`` units.

    The default is notebook 08's: the 27 LSTM copies of one task take 11 to 15 s of CPU time on a 2-core Xeon
    (``benchmarks/variants.py`` runs the full size).
    """

    T: int = 50
    steps: int = 300
    batch: int = 16
    hidden: int = 16
    lr: float = 1e-2
    clip: float = 1.0
    test_size: int = 1000

    def __post_init__(self):
        check_int("T", self.T, 10, MAX_T)
        check_int("steps", self.steps, 1, MAX_STEPS)
        check_int("batch", self.batch, 1, 4096)
        check_int("hidden", self.hidden, 1, MAX_HIDDEN)
        check_in_range("lr", self.lr, 1e-6, 1.0)
        check_in_range("clip", self.clip, 1e-6, 1e6)
        check_int("test_size", self.test_size, 1, 100_000)


def _check_names(name: str, values, allowed: tuple) -> list:
    check_instance(name, values, (list, tuple), f"a list or tuple of names from {allowed}")
    if not values:
        raise ValueError(f"{name} must name at least one of {allowed}, got an empty sequence")
    return [check_choice(f"{name}[]", v, allowed) for v in values]


def ablation(tasks: Sequence[str] = TASKS, variants: Sequence[str] = tuple(VARIANTS), seeds: Sequence[int] = (0, 1, 2),
             budget: Budget = Budget(), progress: bool = True) -> list[dict]:
    """Train every variant on every task for every seed with the same ``budget``; one row each.

    Seed s fixes a model's initial weights (``torch.manual_seed(s)`` before
    it is built) and its training batches (a generator seeded with s): every
    variant sees the same batches. The test set of a task is fixed
    (``TEST_SEED``). A row: task, variant, seed, params (of the layer),
    score (``score``: test MSE or error rate), seconds (of its task's run,
    shared by the copies of one ``Bank``).
    """
    tasks, variants = _check_names("tasks", tasks, TASKS), _check_names("variants", variants, tuple(VARIANTS))
    check_instance("seeds", seeds, (list, tuple), "a list or tuple of seeds")
    if not seeds:
        raise ValueError("seeds must hold at least one seed, got an empty sequence")
    seeds = [check_int("seeds[]", s, 0, 2**32 - 1) for s in seeds]
    check_instance("budget", budget, Budget, "a Budget")
    progress = check_bool("progress", progress)
    rows = []
    for task in tasks:
        rows += _run_task(task, variants, seeds, budget, progress)
    return rows


def _run_task(task: str, variants: list[str], seeds: list[int], b: Budget, progress: bool) -> list[dict]:
    D, O = TASK_SHAPES[task]
    x_test, y_test = task_batch(task, b.T, b.test_size, torch.Generator().manual_seed(TEST_SEED + b.T))
    lstms = [(v, s) for v in variants if v != "GRU" for s in seeds]
    singles = [(v, s) for v in variants if v == "GRU" for s in seeds]
    models = {}
    for v, s in lstms + singles:
        seed_everything(s, torch.device("cpu"))
        models[v, s] = VariantModel(v, D, b.hidden, O)
    loss = loss_fn(task)
    rows, start = [], time.perf_counter()
    if lstms:
        bank = Bank([models[key] for key in lstms])
        _train(bank, task, [s for _, s in lstms], b, loss, progress, f"{task}: {len(lstms)} LSTM copies")
        seconds = time.perf_counter() - start
        trained = [bank.model(k) for k in range(len(lstms))]
        for (v, s), model in zip(lstms, trained):
            rows.append(_row(task, v, s, model, score(task, predict(model, x_test), y_test), seconds))
    for v, s in singles:
        start = time.perf_counter()
        _train(models[v, s], task, [s], b, loss, progress, f"{task}: {v} seed {s}")
        rows.append(_row(task, v, s, models[v, s], score(task, predict(models[v, s], x_test), y_test),
                         time.perf_counter() - start))
    return rows


def _row(task, variant, seed, model, value, seconds) -> dict:
    if not math.isfinite(value):
        raise FloatingPointError(f"{variant} on {task}, seed {seed}, diverged (score {value}); lower lr or clip")
    return {"task": task, "variant": variant, "seed": seed, "params": sum(p.numel() for p in model.rnn.parameters()),
            "score": value, "seconds": seconds, "model": model}


def _train(model: nn.Module, task: str, seeds: list[int], b: Budget, loss, progress: bool, desc: str) -> None:
    """``b.steps`` Adam steps; copy k of a Bank (or the one model) reads the batches of ``seeds[k]``'s generator."""
    gens = {s: torch.Generator().manual_seed(s) for s in dict.fromkeys(seeds)}
    optimizer = torch.optim.Adam(model.parameters(), lr=b.lr)
    for _ in tqdm(range(b.steps), desc=desc, unit="step", disable=not progress, leave=False):
        data = {s: task_batch(task, b.T, b.batch, g) for s, g in gens.items()}
        if isinstance(model, Bank):
            x = torch.stack([data[s][0] for s in seeds])
            y = torch.stack([data[s][1] for s in seeds])
            out = model(x)
            total = sum(loss(out[k], y[k]) for k in range(len(seeds)))     # each copy's own mean loss
            optimizer.zero_grad()
            total.backward()
            model.clip_(b.clip)
            optimizer.step()
        else:
            x, y = data[seeds[0]]
            optimizer_step(optimizer, loss(model(x), y), b.clip)


def summary(rows: Sequence[dict]) -> list[dict]:
    """One row per (task, variant) in the order met: n seeds, params, mean, std (n - 1), min and max of the score."""
    check_instance("rows", rows, (list, tuple), "a list of rows from ablation")
    groups: dict[tuple[str, str], list[dict]] = {}
    for r in rows:
        if not (isinstance(r, dict) and {"task", "variant", "score", "params"} <= set(r)):
            raise TypeError(f"rows[] must be a row of ablation (a dict with task, variant, score, params), got {r!r}"[:200])
        groups.setdefault((r["task"], r["variant"]), []).append(r)
    out = []
    for (task, variant), group in groups.items():
        mean, std, low, high = spread([r["score"] for r in group])
        out.append({"task": task, "variant": variant, "n": len(group), "params": group[0]["params"], "mean": mean,
                    "std": std, "min": low, "max": high})
    return out


def format_summary(table: Sequence[dict]) -> str:
    """A plain-text table of ``summary``'s rows: task, variant, params, mean ± std, [min, max]."""
    check_instance("table", table, (list, tuple), "the list that summary returns")
    lines = [f"{'task':<7} {'variant':<8} {'params':>6}  {'mean':>7} ± {'std':<6}  {'min':>7}  {'max':>7}  seeds"]
    for r in table:
        lines.append(f"{r['task']:<7} {r['variant']:<8} {r['params']:>6}  {r['mean']:7.4f} ± {r['std']:<6.4f}  "
                     f"{r['min']:7.4f}  {r['max']:7.4f}  {r['n']:>5}")
    return "\n".join(lines)
