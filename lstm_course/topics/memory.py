"""A one-unit cell over time: how long does the cell state remember?

With the gates held constant, c_t = f * c_{t-1} + i * g_t. After a single
write, the memory is multiplied by f every step, so it halves every
ln(0.5) / ln(f) steps. A plain tanh RNN, h_t = tanh(w h_{t-1} + u x_t),
has no such separate path: its memory is squashed and rescaled every step.
"""

from __future__ import annotations

import math

import numpy as np

from ..validate import as_array, check_in_range, check_int, check_real, check_size

MAX_STEPS = 100_000   # one Python step each: more would take seconds and tell nothing a shorter run does not
WHY_STEPS = "steps: each is one Python step, and a longer run would take seconds and show nothing new"


def _sequence(name: str, values) -> np.ndarray:
    """A 1-D, finite, non-empty sequence of at most MAX_STEPS numbers."""
    arr = as_array(name, values, ndim=1)
    if arr.size == 0:
        raise ValueError(f"{name} must hold at least one step, got an empty sequence")
    check_size(name, arr.size, MAX_STEPS, WHY_STEPS)
    return arr


def run_scalar_cell(i: float, f: float, g, c0: float = 0.0) -> np.ndarray:
    """Run c_t = f * c_{t-1} + i * g_t over the candidates ``g`` (T,).

    ``i`` and ``f`` are constant gate values in [0, 1]; ``g`` holds T finite
    numbers (1 <= T <= 100,000); ``c0`` is a finite number. Returns c of
    shape (T + 1,), with c[0] = c0.
    """
    f = check_in_range("f", f, 0.0, 1.0)
    i = check_in_range("i", i, 0.0, 1.0)
    g = _sequence("g", g)
    c0 = check_real("c0", c0)
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
    """First k >= 0 with |c[start + k]| <= fraction * |c[start]|, or None if it never gets there.

    ``c`` is 1-D (T,), ``start`` an index into it, ``fraction`` in [0, 1].
    """
    c = as_array("c", c, ndim=1)
    if c.size == 0:
        raise ValueError("c must hold at least one value, got an empty array")
    start = check_int("start", start, 0, len(c) - 1)   # an index into c
    fraction = check_in_range("fraction", fraction, 0.0, 1.0)
    below = np.flatnonzero(np.abs(c[start:]) <= fraction * abs(c[start]))
    return int(below[0]) if below.size else None


def pulse(steps: int, at: int = 1, value: float = 1.0) -> np.ndarray:
    """A sequence (steps,) of zeros with ``value`` at step ``at`` (1-based, as t in the equations).

    1 <= steps <= 100,000; ``value`` a finite number.
    """
    check_int("steps", steps)
    check_size("steps", steps, MAX_STEPS, WHY_STEPS)
    at = check_int("at", at, 1, steps)
    value = check_real("value", value)
    g = np.zeros(steps)
    g[at - 1] = value
    return g


def run_scalar_rnn(w: float, u: float, x) -> np.ndarray:
    """A one-unit tanh RNN, h_t = tanh(w h_{t-1} + u x_t), from h_0 = 0; x (T,). Returns h (T + 1,).

    ``w`` and ``u`` are finite numbers; x holds 1 to 100,000 finite numbers.
    """
    w, u = check_real("w", w), check_real("u", u)
    x = _sequence("x", x)
    h = np.zeros(len(x) + 1)
    for t, x_t in enumerate(x, start=1):
        h[t] = math.tanh(w * h[t - 1] + u * x_t)
    return h
