"""``torch.nn.LSTM`` from the outside (notebook 05): shapes, parameters, padding, streams.

Letters as in the shape rules: T steps, B sequences in a batch, D input
features, H hidden units, L layers, n_dir = 2 if bidirectional else 1, and
H_out = proj_size if proj_size > 0 else H.

- ``lstm_shapes`` / ``shape_rule``: the shape of input, h0/c0, output,
  h_n/c_n, and the rule behind each.
- ``param_count``: the number of parameters, by formula (and
  ``keras_param_count``, the same for a Keras ``LSTM`` layer).
- ``run_shapes``: a real ``nn.LSTM`` run, the shapes it saw and gave
  (what ``classroom.panels.shape_explorer_view`` shows).
- ``last_step``: the last *real* step of each sequence in a padded batch
  (the exercise's answer, checked by ``classroom.checkers``).
- ``run_in_chunks``: a long stream fed chunk by chunk, the state carried
  (and detached, for truncated back-propagation through time).
"""

from __future__ import annotations

import warnings

import numpy as np
import torch
from torch import nn

from ..validate import as_tensor, check_bool, check_choice, check_instance, check_int, check_size

SHAPE_NAMES = ("input", "h0", "c0", "output", "h_n", "c_n")
MAX_RUN_NUMBERS = 20_000_000   # weights plus tensors of one ``run_shapes``: a real module runs, in a moment


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
    check_choice("name", name, SHAPE_NAMES)
    lead = "B, T" if check_bool("batch_first", batch_first) else "T, B"
    rules = {"input": f"({lead}, D)", "output": f"({lead}, n_dir·H_out): last layer, every step",
             "h0": "(n_dir·L, B, H_out)", "c0": "(n_dir·L, B, H)",
             "h_n": "(n_dir·L, B, H_out): every layer, last step", "c_n": "(n_dir·L, B, H)"}
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
    numbers = param_count(input_size, hidden_size, num_layers, True, bidirectional, proj_size) + sum(
        int(np.prod(shape)) for shape in rule.values())
    check_size("this LSTM", numbers, MAX_RUN_NUMBERS,
               "numbers: a real nn.LSTM is built and run on random data (weights, input, states and output), "
               "so they must fit in memory and answer in a moment")
    lstm = nn.LSTM(input_size, hidden_size, num_layers, batch_first=batch_first, bidirectional=bidirectional,
                   proj_size=proj_size)
    gen = torch.Generator().manual_seed(0)
    x, h0, c0 = (torch.randn(rule[k], generator=gen) for k in ("input", "h0", "c0"))
    with torch.no_grad(), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="LSTM with projections is not supported with oneDNN")
        output, (h_n, c_n) = lstm(x, (h0, c0))
    return {name: tuple(t.shape) for name, t in zip(SHAPE_NAMES, (x, h0, c0, output, h_n, c_n))}


# ---------------------------------------------------------------- padded batches

def _check_padded(output: torch.Tensor, lengths, batch_first: bool) -> tuple[torch.Tensor, torch.Tensor]:
    check_instance("output", output, torch.Tensor, "a 3-D torch tensor, (B, T, F) or (T, B, F)")
    if output.dim() != 3:
        raise ValueError(f"output must be a 3-D tensor, (B, T, F) or (T, B, F), got {tuple(output.shape)}")
    B, T = (output.shape[0], output.shape[1]) if check_bool("batch_first", batch_first) else \
        (output.shape[1], output.shape[0])
    try:
        arr = lengths.detach().cpu().numpy() if isinstance(lengths, torch.Tensor) else np.asarray(lengths)
    except (TypeError, ValueError):            # ragged lists and the like
        arr = np.asarray(None)
    if arr.shape != (B,) or arr.dtype.kind not in "iu":
        raise ValueError(f"lengths must be B={B} whole numbers, got shape {arr.shape} of {arr.dtype}")
    lengths = torch.as_tensor(arr.astype(np.int64))
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


# ---------------------------------------------------------------- long streams

def run_in_chunks(lstm: nn.LSTM, x: torch.Tensor, chunk: int, carry: bool = True,
                  detach: bool = True) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
    """Feed a long time-major stream x (T, B, D) to ``lstm`` ``chunk`` steps at a time.

    ``carry``: each chunk starts from the (h, c) the previous one ended with
    (else from zeros). ``detach``: that state is cut from the graph, so
    gradients stop at the chunk boundary (truncated BPTT). Returns the
    concatenated output (T, B, n_dir*H) and the final (h_n, c_n).
    """
    check_instance("lstm", lstm, nn.LSTM, "a torch.nn.LSTM")
    if lstm.batch_first:
        raise ValueError(f"lstm must be a time-major torch.nn.LSTM (batch_first=False), got {lstm!r}")
    check_instance("x", x, torch.Tensor, f"a torch tensor of shape (T, B, {lstm.input_size})")
    x = as_tensor("x", x, ndim=3)
    if x.shape[-1] != lstm.input_size or x.dtype != lstm.weight_ih_l0.dtype or 0 in x.shape:
        raise ValueError(f"x must be a {lstm.weight_ih_l0.dtype} tensor of shape (T, B, {lstm.input_size}) "
                         f"with T >= 1 and B >= 1, got {x.dtype} {tuple(x.shape)}")
    chunk = check_int("chunk", chunk, 1, 10**9)
    carry, detach = check_bool("carry", carry), check_bool("detach", detach)
    outputs, state = [], None
    for start in range(0, x.shape[0], chunk):
        if state is not None and detach:
            state = tuple(s.detach() for s in state)
        out, new_state = lstm(x[start:start + chunk], state)
        outputs.append(out)
        state = new_state if carry else None
        last = new_state
    return torch.cat(outputs), last
