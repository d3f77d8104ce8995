"""Checkers for the exercises: each says "pass" or which part is wrong.

A checker feeds the learner's function inputs in which every term but one
is zero (or pinned by a bias), so a wrong answer points at one gate.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .cell import CellParams, lstm_cell_forward

TOL = 1e-8


@dataclass(repr=False)
class CheckResult:
    """The verdict of a checker: ``passed`` and, if not, one line per wrong part."""

    title: str
    passed: bool
    problems: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        return str(self)

    def __str__(self) -> str:
        if self.passed:
            return f"{self.title}: PASS"
        return "\n".join([f"{self.title}: NOT YET", *(f"  - {p}" for p in self.problems)])

    def _repr_html_(self) -> str:
        if self.passed:
            return f"<div style='color:#1a7f37'><b>{html.escape(self.title)}: pass</b></div>"
        items = "".join(f"<li>{html.escape(p)}</li>" for p in self.problems)
        return f"<div style='color:#b42318'><b>{html.escape(self.title)}: not yet</b><ul>{items}</ul></div>"


# A probe sets every input of the cell; `part` names what a mismatch points at.
@dataclass
class _Probe:
    part: str
    hint: str
    x_t: np.ndarray
    h_prev: np.ndarray
    c_prev: np.ndarray
    params: CellParams
    check_h: bool = True
    after: tuple[str, ...] = ()  # parts that must be right for this probe to say anything


def _cell_probes(D: int = 3, H: int = 2, seed: int = 0) -> list[_Probe]:
    rng = np.random.default_rng(seed)
    zD, zH, z4 = np.zeros(D), np.zeros(H), np.zeros(4 * H)
    big = 30.0  # sigmoid(30) and tanh(30) are 1 to 1e-13: pins a gate fully open

    def bias(i=0.0, f=0.0, g=0.0, o=0.0) -> np.ndarray:
        return np.concatenate([np.broadcast_to(v, H) for v in (i, f, g, o)]).astype(float)

    def rand(n):
        return rng.uniform(-2, 2, n)

    def params(W_ih=None, W_hh=None, b_ih=None, b_hh=None) -> CellParams:
        return CellParams(np.zeros((4 * H, D)) if W_ih is None else W_ih,
                          np.zeros((4 * H, H)) if W_hh is None else W_hh,
                          z4 if b_ih is None else b_ih, z4 if b_hh is None else b_hh)

    c_prev = rand(H)
    gates = ("forget gate f_t", "input gate i_t", "candidate g_t")
    cell = (*gates, "hidden state h_t", "output gate o_t")
    return [
        _Probe("forget gate f_t", "c_t = f_t * c_{t-1} + ...; f_t = sigmoid(rows H:2H of the stacked pre-activation)",
               zD, zH, c_prev, params(b_ih=bias(i=-big, f=rand(H))), check_h=False),
        _Probe("input gate i_t", "i_t = sigmoid(rows 0:H); it scales the candidate in c_t = ... + i_t * g_t",
               zD, zH, zH, params(b_ih=bias(i=rand(H), g=big)), check_h=False),
        _Probe("candidate g_t", "g_t = tanh(rows 2H:3H), not a sigmoid; it is what i_t lets into the cell",
               zD, zH, zH, params(b_ih=bias(i=big, g=rand(H))), check_h=False),
        _Probe("hidden state h_t", "h_t = o_t * tanh(c_t): the cell state is squashed by tanh before the output gate",
               zD, zH, c_prev, params(b_ih=bias(i=-big, f=big, o=big)), after=gates),
        _Probe("output gate o_t", "o_t = sigmoid(rows 3H:4H), and h_t = o_t * tanh(c_t)",
               zD, zH, c_prev, params(b_ih=bias(i=-big, f=big, o=rand(H))), after=(*gates, "hidden state h_t")),
        _Probe("input weights W_ih", "the pre-activation includes W_ih @ x_t (W_ih is (4H, D))",
               rand(D), zH, zH, params(W_ih=rng.uniform(-1, 1, (4 * H, D))), after=cell),
        _Probe("recurrent weights W_hh", "the pre-activation includes W_hh @ h_{t-1} (W_hh is (4H, H))",
               zD, rand(H), zH, params(W_hh=rng.uniform(-1, 1, (4 * H, H))), after=cell),
        _Probe("bias b_ih", "add b_ih to the pre-activation", zD, zH, c_prev, params(b_ih=rand(4 * H)), after=cell),
        _Probe("bias b_hh", "torch has two biases: add b_hh too", zD, zH, c_prev, params(b_hh=rand(4 * H)),
               after=cell),
    ]


def check_cell_step(step: Callable) -> CheckResult:
    """Check ``step(x_t, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh) -> (h_t, c_t)``.

    Inputs are 1-D: x_t (D,), h_prev and c_prev (H,), weights stacked in
    torch's order (i, f, g, o). Each probe zeroes all inputs but one term.
    """
    title = "LSTM cell step"
    if not callable(step):
        raise ValueError(f"step must be a function, got {type(step).__name__}")
    problems, wrong = [], set()
    for probe in _cell_probes():
        if wrong.intersection(probe.after):
            continue
        args = (probe.x_t, probe.h_prev, probe.c_prev, *probe.params)
        h_ref, c_ref, _ = lstm_cell_forward(*args)
        try:
            out = step(*(np.array(a, copy=True) for a in args))
        except NotImplementedError:
            return CheckResult(title, False, ["not written yet: replace `raise NotImplementedError` with your code"])
        except Exception as exc:
            return CheckResult(title, False, [f"your function raised {type(exc).__name__}: {exc}"])
        if not (isinstance(out, tuple) and len(out) == 2):
            return CheckResult(title, False, [f"return (h_t, c_t), a tuple of two arrays; got {type(out).__name__}"])
        h, c = (np.asarray(v, dtype=float) for v in out)
        if h.shape != h_ref.shape or c.shape != c_ref.shape:
            return CheckResult(title, False, [f"h_t and c_t must have shape {h_ref.shape}, got {h.shape} and {c.shape}"])
        for name, got, ref in (("c_t", c, c_ref), ("h_t", h, h_ref))[:1 + probe.check_h]:
            if not np.allclose(got, ref, atol=TOL, rtol=0):
                wrong.add(probe.part)
                problems.append(f"{probe.part}: {name} is {np.round(got, 4)}, expected {np.round(ref, 4)}. "
                                f"Hint: {probe.hint}")
                break
    if not problems:  # each term was right alone; now all of them at once
        rng = np.random.default_rng(1)
        args = (rng.uniform(-2, 2, 3), rng.uniform(-2, 2, 2), rng.uniform(-2, 2, 2),
                *(rng.uniform(-1, 1, s) for s in ((8, 3), (8, 2), 8, 8)))
        h_ref, c_ref, _ = lstm_cell_forward(*args)
        h, c = (np.asarray(v, dtype=float) for v in step(*args))
        if not (np.allclose(c, c_ref, atol=TOL, rtol=0) and np.allclose(h, h_ref, atol=TOL, rtol=0)):
            problems.append("full step: every term is right alone but not together; are the four pre-activations "
                            "computed from the same x_t and h_{t-1}?")
    return CheckResult(title, not problems, problems)
