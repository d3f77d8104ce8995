"""A one-unit cell over time: how long does the cell state remember?

With the gates held constant, c_t = f * c_{t-1} + i * g_t. After a single
write, the memory is multiplied by f every step, so it halves every
ln(0.5) / ln(f) steps. A plain tanh RNN, h_t = tanh(w h_{t-1} + u x_t),
has no such separate path: its memory is squashed and rescaled every step.
"""

from __future__ import annotations

import math

import numpy as np

from ..validate import as_array, check_in_range, check_int


def run_scalar_cell(f: float, i: float, g, c0: float = 0.0) -> np.ndarray:
    """Run c_t = f * c_{t-1} + i * g_t over the candidates ``g`` (T,).

    ``f`` and ``i`` are constant gate values in [0, 1]. Returns c of shape
    (T + 1,), with c[0] = c0.
    """
    f = check_in_range("f", f, 0.0, 1.0)
    i = check_in_range("i", i, 0.0, 1.0)
    g = as_array("g", g, ndim=1)
    c = np.empty(len(g) + 1)
    c[0] = c0
    for t, g_t in enumerate(g, start=1):
        c[t] = f * c[t - 1] + i * g_t
    return c


def half_life(f: float) -> float:
    """Steps for the memory to halve under a constant forget gate f: ln(0.5) / ln(f).

    0 for f = 0 (forgotten at once), infinity for f = 1 (never forgotten).
    """
    f = check_in_range("f", f, 0.0, 1.0)
    if f == 0.0:
        return 0.0
    if f == 1.0:
        return math.inf
    return math.log(0.5) / math.log(f)


def steps_to_fraction(c, start: int, fraction: float = 0.5) -> int | None:
    """First k >= 0 with |c[start + k]| <= fraction * |c[start]|, or None if it never gets there."""
    c = as_array("c", c, ndim=1)
    if not 0 <= start < len(c):
        raise ValueError(f"start must be an index into c (0 to {len(c) - 1}), got {start}")
    below = np.flatnonzero(np.abs(c[start:]) <= fraction * abs(c[start]))
    return int(below[0]) if below.size else None


def pulse(steps: int, at: int = 1, value: float = 1.0) -> np.ndarray:
    """A sequence of ``steps`` zeros with ``value`` at step ``at`` (1-based, as t in the equations)."""
    check_int("steps", steps)
    if not 1 <= at <= steps:
        raise ValueError(f"at must be in [1, {steps}], got {at}")
    g = np.zeros(steps)
    g[at - 1] = value
    return g


def run_scalar_rnn(w: float, u: float, x) -> np.ndarray:
    """A one-unit tanh RNN, h_t = tanh(w h_{t-1} + u x_t), from h_0 = 0. Returns h (T + 1,)."""
    x = as_array("x", x, ndim=1)
    h = np.zeros(len(x) + 1)
    for t, x_t in enumerate(x, start=1):
        h[t] = math.tanh(w * h[t - 1] + u * x_t)
    return h
