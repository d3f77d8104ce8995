"""``torch.nn.LSTM`` from the outside (notebook 05): shapes, parameters, padding, streams.

Letters as in the shape rules: T steps, B sequences in a batch, D input
features, H hidden units, L layers, n_dir = 2 if bidirectional else 1, and
H_out = proj_size if proj_size > 0 else H.

- ``lstm_shapes`` / ``shape_rule``: the shape of input, h0/c0, output,
  h_n/c_n, and the rule behind each.
- ``param_count``: the number of parameters, by formula (and
  ``keras_param_count``, the same for a Keras ``LSTM`` layer).
- ``shape_explorer_view``: the widget callback; it runs a real ``nn.LSTM``
  and returns a ``View`` with the shapes table and a diagram of the layers.
- ``last_step``: the last *real* step of each sequence in a padded batch,
  and ``check_last_step``, the checker of the notebook's exercise.
- ``run_in_chunks``: a long stream fed chunk by chunk, the state carried
  (and detached, for truncated back-propagation through time).
"""

from __future__ import annotations

import html
import warnings
from typing import Callable

import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, Rectangle
from torch import nn

from .exercises import CheckResult, call_learner
from .playgrounds import View, figure_png
from .validate import check_bool, check_int

SHAPE_NAMES = ("input", "h0", "c0", "output", "h_n", "c_n")


def _check_config(input_size, hidden_size, num_layers, bidirectional, proj_size) -> tuple[int, int, int, int, int]:
    """Validated (D, H, L, n_dir, H_out); proj_size must be below hidden_size, as torch demands."""
    D = check_int("input_size", input_size, 1, 100_000)
    H = check_int("hidden_size", hidden_size, 1, 100_000)
    L = check_int("num_layers", num_layers, 1, 1_000)
    P = check_int("proj_size", proj_size, 0, 100_000)
    if P >= H:
        raise ValueError(f"proj_size must be smaller than hidden_size={H}, got proj_size={P}")
    return D, H, L, 2 if check_bool("bidirectional", bidirectional) else 1, P or H


def lstm_shapes(seq_len: int, batch: int, input_size: int, hidden_size: int, num_layers: int = 1,
                bidirectional: bool = False, batch_first: bool = False, proj_size: int = 0) -> dict[str, tuple]:
    """The shapes ``nn.LSTM`` reads and returns, by rule (no module is built).

    input (T, B, D) or (B, T, D) with batch_first; h0 and h_n (n_dir*L, B, H_out);
    c0 and c_n (n_dir*L, B, H); output (T, B, n_dir*H_out) or (B, T, n_dir*H_out).
    batch_first changes input and output only, never the states.
    """
    T = check_int("seq_len", seq_len, 1, 1_000_000)
    B = check_int("batch", batch, 1, 1_000_000)
    D, H, L, n_dir, H_out = _check_config(input_size, hidden_size, num_layers, bidirectional, proj_size)
    lead = (B, T) if check_bool("batch_first", batch_first) else (T, B)
    return {"input": (*lead, D), "h0": (n_dir * L, B, H_out), "c0": (n_dir * L, B, H),
            "output": (*lead, n_dir * H_out), "h_n": (n_dir * L, B, H_out), "c_n": (n_dir * L, B, H)}


def shape_rule(name: str, batch_first: bool = False) -> str:
    """The rule behind one of ``SHAPE_NAMES``, in the letters of the module docstring."""
    lead = "B, T" if batch_first else "T, B"
    rules = {"input": f"({lead}, D)", "output": f"({lead}, n_dir·H_out): last layer, every step",
             "h0": "(n_dir·L, B, H_out)", "c0": "(n_dir·L, B, H)",
             "h_n": "(n_dir·L, B, H_out): every layer, last step", "c_n": "(n_dir·L, B, H)"}
    if name not in rules:
        raise ValueError(f"name must be one of {SHAPE_NAMES}, got {name!r}")
    return rules[name]


def param_count(input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                bidirectional: bool = False, proj_size: int = 0) -> int:
    """Parameters of ``nn.LSTM``, by formula.

    Per layer l and direction: W_ih (4H, D_l), W_hh (4H, H_out), two biases
    (4H,) each, and with a projection W_hr (H_out, H); D_0 = D and
    D_l = n_dir·H_out above the first layer.
    """
    D, H, L, n_dir, H_out = _check_config(input_size, hidden_size, num_layers, bidirectional, proj_size)
    total = 0
    for layer in range(L):
        D_l = D if layer == 0 else n_dir * H_out
        one = 4 * H * D_l + 4 * H * H_out + (8 * H if check_bool("bias", bias) else 0) + (H_out * H if proj_size else 0)
        total += n_dir * one
    return total


def keras_param_count(units: int, input_dim: int) -> int:
    """Parameters of a Keras ``LSTM(units)`` layer on ``input_dim`` features: one bias, not two."""
    units = check_int("units", units, 1, 100_000)
    input_dim = check_int("input_dim", input_dim, 1, 100_000)
    return 4 * (units * (input_dim + units) + units)


# ---------------------------------------------------------------- the shape explorer

def run_shapes(seq_len: int, batch: int, input_size: int, hidden_size: int, num_layers: int = 1,
               bidirectional: bool = False, batch_first: bool = False, proj_size: int = 0) -> dict[str, tuple]:
    """Build a real ``nn.LSTM``, run it on random input and states, and return the shapes it saw and gave."""
    rule = lstm_shapes(seq_len, batch, input_size, hidden_size, num_layers, bidirectional, batch_first, proj_size)
    lstm = nn.LSTM(input_size, hidden_size, num_layers, batch_first=batch_first, bidirectional=bidirectional,
                   proj_size=proj_size)
    gen = torch.Generator().manual_seed(0)
    x, h0, c0 = (torch.randn(rule[k], generator=gen) for k in ("input", "h0", "c0"))
    with torch.no_grad(), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="LSTM with projections is not supported with oneDNN")
        output, (h_n, c_n) = lstm(x, (h0, c0))
    return {name: tuple(t.shape) for name, t in zip(SHAPE_NAMES, (x, h0, c0, output, h_n, c_n))}


def draw_layers(ax: Axes, seq_len: int, num_layers: int, bidirectional: bool, max_steps: int = 6) -> None:
    """A grid of cells, layer by layer (bottom to top) and step by step, with the direction(s) each layer runs.

    Each layer feeds the one above at every step; output is the top row. Past ``max_steps`` steps
    the middle ones are left out (marked "…").
    """
    steps = min(seq_len, max_steps)
    labels = [f"$x_{{{t + 1}}}$" for t in range(steps)]
    if steps < seq_len:
        labels[-1] = f"$x_{{{seq_len}}}$"
        ax.text((steps - 1.5) * 1.3 + 0.45, -0.45, "…", ha="center", fontsize=12)
    arrow = dict(arrowstyle="-|>", mutation_scale=9)
    for layer in range(num_layers):
        y = layer * 1.4
        for t in range(steps):
            ax.add_patch(Rectangle((t * 1.3, y), 0.9, 0.8, fc="#dbeafe", ec="#1d4ed8"))
            ax.add_patch(FancyArrowPatch((t * 1.3 + 0.45, y - 0.55 if layer else y - 0.3), (t * 1.3 + 0.45, y),
                                         color="#6b7280", **arrow))
            if t < steps - 1:
                ax.add_patch(FancyArrowPatch((t * 1.3 + 0.9, y + 0.55), (t * 1.3 + 1.3, y + 0.55),
                                             color="#1d4ed8", **arrow))
                if bidirectional:
                    ax.add_patch(FancyArrowPatch((t * 1.3 + 1.3, y + 0.25), (t * 1.3 + 0.9, y + 0.25),
                                                 color="#c2410c", **arrow))
        ax.text(-0.3, y + 0.4, f"layer {layer}", ha="right", va="center", fontsize=9)
    for t, label in enumerate(labels):
        ax.text(t * 1.3 + 0.45, -0.75, label, ha="center", fontsize=9)
    ax.text(steps * 1.3 / 2, num_layers * 1.4 - 0.35, "output: the top layer at every step", ha="center", fontsize=9)
    ax.set_xlim(-1.8, steps * 1.3 + 0.2)
    ax.set_ylim(-1.0, num_layers * 1.4 + 0.1)
    ax.set_axis_off()
    ax.set_title("forward (blue) and backward (orange)" if bidirectional else "one direction", fontsize=10)


def _shape_table(shapes: dict[str, tuple], batch_first: bool) -> str:
    rows = "".join(
        f"<tr><td style='padding:2px 8px;font-family:monospace'>{name}</td>"
        f"<td style='padding:2px 8px;font-family:monospace'><span class='lstm-shape' data-name='{name}'>"
        f"{shapes[name]}</span></td><td style='padding:2px 8px;color:#6b7280'>"
        f"{html.escape(shape_rule(name, batch_first))}</td></tr>" for name in SHAPE_NAMES)
    return f"<table class='lstm-shapes'><tr><th>tensor</th><th>shape</th><th>rule</th></tr>{rows}</table>"


def shape_explorer_view(seq_len: int, batch: int, input_size: int, hidden_size: int, num_layers: int,
                        bidirectional: bool, batch_first: bool, proj_size: int = 0) -> View:
    """The shape explorer: run a real ``nn.LSTM`` and show every shape beside its rule.

    ``values`` maps each of ``SHAPE_NAMES`` to the shape torch produced (a tuple).
    """
    shapes = run_shapes(seq_len, batch, input_size, hidden_size, num_layers, bidirectional, batch_first,
                        proj_size)
    fig = Figure(figsize=(6, 1.2 + 0.7 * num_layers), layout="tight")
    draw_layers(fig.add_subplot(), seq_len, num_layers, bidirectional)
    return View(figure_png(fig, dpi=70), _shape_table(shapes, batch_first), shapes)


# ---------------------------------------------------------------- padded batches

def _check_padded(output: torch.Tensor, lengths, batch_first: bool) -> tuple[torch.Tensor, torch.Tensor]:
    if not isinstance(output, torch.Tensor) or output.dim() != 3:
        got = tuple(output.shape) if isinstance(output, torch.Tensor) else type(output).__name__
        raise ValueError(f"output must be a 3-D tensor, (B, T, F) or (T, B, F), got {got}")
    lengths = torch.as_tensor(lengths)
    B, T = (output.shape[0], output.shape[1]) if batch_first else (output.shape[1], output.shape[0])
    if lengths.shape != (B,) or lengths.dtype.is_floating_point:
        raise ValueError(f"lengths must be B={B} whole numbers, got shape {tuple(lengths.shape)} "
                         f"of {lengths.dtype}")
    if lengths.min() < 1 or lengths.max() > T:
        raise ValueError(f"lengths must be in [1, T={T}], got {lengths.tolist()}")
    return output, lengths


def last_step(output: torch.Tensor, lengths, batch_first: bool = True) -> torch.Tensor:
    """The output at the last real step of each sequence of a padded batch: (B, F).

    output (B, T, F) with batch_first, else (T, B, F); lengths (B,) the true
    lengths. Row b is output[b, lengths[b] - 1], not output[b, -1].
    """
    output, lengths = _check_padded(output, lengths, batch_first)
    batch_major = output if batch_first else output.transpose(0, 1)
    return batch_major[torch.arange(len(lengths)), lengths.long() - 1]


def check_last_step(fn: Callable) -> CheckResult:
    """Check ``fn(output, lengths) -> (B, F)``, the last real step of each sequence, batch_first.

    The probe's output holds step t in every feature of row b, at step t
    (output[b, t] = t), so the answer says which step was picked for each row.
    """
    title = "last real step of a padded batch"
    if not callable(fn):
        raise ValueError(f"fn must be a function, got {type(fn).__name__}")
    lengths = torch.tensor([5, 2, 4, 1])
    B, T, F = len(lengths), 5, 3
    output = torch.arange(T, dtype=torch.float32).view(1, T, 1).expand(B, T, F).clone()
    got, failed = call_learner(title, fn, output, lengths, hints={
        IndexError: "it indexed past the end: the last real step of row b is lengths[b] - 1, steps count from 0"})
    if failed is not None:
        return failed
    got = torch.as_tensor(got)
    if tuple(got.shape) != (B, F):
        hint = (" (output[-1] of a batch_first output is the last *sequence*, every step of it)"
                if tuple(got.shape) == (T, F) else "")
        return CheckResult(title, False, [f"return one row per sequence, shape {(B, F)}, got {tuple(got.shape)}{hint}"])
    if not torch.all(got == got[:, :1]):
        return CheckResult(title, False, ["each row must be one step's output, copied whole; the features of a row differ"])
    picked, want = got[:, 0].round().long(), lengths - 1
    if torch.equal(picked, want):
        return CheckResult(title, True)
    if torch.all(picked == T - 1):
        return CheckResult(title, False, [f"you took step {T - 1} for every row: that is padding for the sequences "
                                          f"of lengths {[int(n) for n in lengths if n < T]}. "
                                          "Hint: the last real step of row b is lengths[b] - 1"])
    if torch.equal(picked, torch.clamp(lengths, max=T - 1)):
        return CheckResult(title, False, ["off by one: you took step lengths[b]; steps count from 0, "
                                          "so the last real one is lengths[b] - 1"])
    rows = [f"row {b} (length {int(lengths[b])}): step {int(picked[b])}, expected {int(want[b])}"
            for b in range(B) if picked[b] != want[b]]
    return CheckResult(title, False, rows)


# ---------------------------------------------------------------- long streams

def run_in_chunks(lstm: nn.LSTM, x: torch.Tensor, chunk: int, carry: bool = True,
                  detach: bool = True) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
    """Feed a long time-major stream x (T, B, D) to ``lstm`` ``chunk`` steps at a time.

    ``carry``: each chunk starts from the (h, c) the previous one ended with
    (else from zeros). ``detach``: that state is cut from the graph, so
    gradients stop at the chunk boundary (truncated BPTT). Returns the
    concatenated output (T, B, n_dir*H) and the final (h_n, c_n).
    """
    if not isinstance(lstm, nn.LSTM) or lstm.batch_first:
        raise ValueError(f"lstm must be a time-major torch.nn.LSTM (batch_first=False), got {lstm!r}")
    if not isinstance(x, torch.Tensor) or x.dim() != 3 or x.shape[-1] != lstm.input_size:
        got = tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
        raise ValueError(f"x must be a tensor of shape (T, B, {lstm.input_size}), got {got}")
    chunk = check_int("chunk", chunk, 1, 10**9)
    outputs, state = [], None
    for start in range(0, x.shape[0], chunk):
        if state is not None and detach:
            state = tuple(s.detach() for s in state)
        out, new_state = lstm(x[start:start + chunk], state)
        outputs.append(out)
        state = new_state if carry else None
        last = new_state
    return torch.cat(outputs), last
