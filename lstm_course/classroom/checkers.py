"""Checkers for the exercises: each says "pass" or which part is wrong.

A checker feeds the learner's function probes whose answers tell the
common mistakes apart: a wrong answer is first matched against the slips
learners make (each gives its own numbers), and only then traced part by
part, so a verdict names the actual mistake and blames no part that is right.

Every checker has the shape that ``checking`` gives it: ``@checker(title,
arg)`` (a TypeError if the learner passes something that is not a function;
a verdict, never a traceback, whatever the function returns), probes, then
``verdict.ask`` (call it, read its answer as arrays of the right shapes),
``verdict.compare`` (name the wrong part), ``verdict.result()``.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch

from ..lstm.activations import sigmoid
from ..lstm.cell import lstm_cell_backward, lstm_cell_forward
from ..lstm.sequence import sequence_forward
from ..topics.bidirectional import summary
from ..topics.char_lstm import QUOTE, nesting_depth
from ..topics.gradient_flow import constant_forget_ratio
from ..topics.sine import make_windows
from ..topics.variants import VariantLSTM
from .checking import LOW_TOL, TOL, CheckResult, Verdict, checker, close, gap, show, tolerance


GATES = {"i": "input gate i_t", "f": "forget gate f_t", "g": "candidate g_t", "o": "output gate o_t"}
ROWS = {"i": "rows 0:H", "f": "rows H:2H", "g": "rows 2H:3H", "o": "rows 3H:4H"}
ACTIVATIONS = {"sigmoid": sigmoid, "tanh": np.tanh, "no activation": lambda z: z,
               "relu": lambda z: np.maximum(z, 0.0)}
RIGHT_ACTIVATION = {"i": "sigmoid", "f": "sigmoid", "g": "tanh", "o": "sigmoid"}


@dataclass(frozen=True)
class _Slip:
    """One common mistake in a cell step: ``key`` is the part of the step it changes, ``value`` how."""

    key: str
    value: object
    part: str
    text: str


def _cell_slips() -> list[_Slip]:
    """The mistakes ``check_cell_step`` recognises by their numbers; two with different keys can combine."""
    slips = [_Slip("ret", "ch", "return order", "you return (c_t, h_t); return (h_t, c_t), in that order"),
             _Slip("squash", "both", "cell state c_t", "you squash the cell state, c_t = tanh(f_t * c_{t-1} + "
                   "i_t * g_t); c_t stays unsquashed, only h_t = o_t * tanh(c_t) sees a tanh"),
             _Slip("squash", "returned", "cell state c_t", "the c_t you return is tanh(c_t) (h_t is right); return "
                   "the cell state itself, c_t = f_t * c_{t-1} + i_t * g_t, unsquashed"),
             _Slip("b_ih", False, "bias b_ih", "b_ih is left out: the pre-activation is W_ih @ x_t + b_ih + "
                   "W_hh @ h_{t-1} + b_hh"),
             _Slip("b_hh", False, "bias b_hh", "b_hh is left out: torch has two biases, add b_hh too"),
             _Slip("W_ih", False, "input weights W_ih", "the term W_ih @ x_t is left out of the pre-activation"),
             _Slip("W_hh", False, "recurrent weights W_hh", "the term W_hh @ h_{t-1} is left out of the "
                   "pre-activation"),
             _Slip("h", "raw", "hidden state h_t", "h_t = o_t * c_t: the cell state is squashed by tanh before the "
                   "output gate, h_t = o_t * tanh(c_t)"),
             _Slip("h", "c_prev", "hidden state h_t", "h_t uses c_{t-1}; it is o_t * tanh(c_t), with the new c_t"),
             _Slip("h", "no_o", "output gate o_t", "h_t = tanh(c_t) leaves out the output gate: h_t = o_t * "
                   "tanh(c_t), o_t = sigmoid(rows 3H:4H)"),
             _Slip("c", "no_f", "forget gate f_t", "c_t = i_t * g_t leaves out the old memory: c_t = f_t * c_{t-1} "
                   "+ i_t * g_t"),
             _Slip("c", "no_i", "input gate i_t", "c_t = f_t * c_{t-1} + g_t leaves out the input gate: the "
                   "candidate enters as i_t * g_t"),
             _Slip("c", "h_prev", "forget gate f_t", "f_t multiplies h_{t-1}; it keeps the old *cell state*, "
                   "f_t * c_{t-1}"),
             _Slip("inputs", "hc", "arguments h_prev and c_prev", "your function reads h_prev as c_prev and c_prev "
                   "as h_prev: the arguments come in the order (x_t, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh)")]
    for order in itertools.permutations("ifgo"):
        order = "".join(order)
        if order != "ifgo":
            moved = [k for k in "ifgo" if order.index(k) != "ifgo".index(k)]
            names = " and ".join(GATES[k] for k in moved)
            what = "blocks swapped" if len(moved) == 2 else "blocks in the wrong places"
            slips.append(_Slip("order", order, "gate order", f"{what}: {names}. You split the rows as "
                               f"({', '.join(order)}); torch stacks them (i, f, g, o), H rows each"))
    for k, right in RIGHT_ACTIVATION.items():
        for name in ACTIVATIONS:
            if name != right:
                slips.append(_Slip(f"act_{k}", name, GATES[k], f"computed with {name}; {k}_t = {right}"
                                   f"({ROWS[k]} of the pre-activation)"))
    return slips


def _slipped_step(args: tuple, slips: tuple[_Slip, ...]) -> tuple[np.ndarray, np.ndarray]:
    """The cell step with ``slips`` made, returned as the learner would: ``(h_t, c_t)`` unless the order slipped."""
    s = {slip.key: slip.value for slip in slips}
    x_t, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh = args
    if s.get("inputs"):
        h_prev, c_prev = c_prev, h_prev
    z = (s.get("W_ih", True) * (W_ih @ x_t) + s.get("W_hh", True) * (W_hh @ h_prev)
         + s.get("b_ih", True) * b_ih + s.get("b_hh", True) * b_hh)
    blocks = dict(zip(s.get("order", "ifgo"), np.split(z, 4)))
    i_t, f_t, g_t, o_t = (ACTIVATIONS[s.get(f"act_{k}", RIGHT_ACTIVATION[k])](blocks[k]) for k in "ifgo")
    kept = 0.0 if s.get("c") == "no_f" else f_t * (h_prev if s.get("c") == "h_prev" else c_prev)
    c_t = kept + (g_t if s.get("c") == "no_i" else i_t * g_t)
    squashed = np.tanh(c_t)
    if s.get("squash") == "both":
        c_t = squashed
    h_t = {"raw": o_t * c_t, "c_prev": o_t * np.tanh(c_prev), "no_o": np.tanh(c_t)}.get(s.get("h"), o_t * np.tanh(c_t))
    if s.get("squash") == "returned":
        c_t = squashed
    return (c_t, h_t) if s.get("ret") == "ch" else (h_t, c_t)


def _cell_args(rng: np.random.Generator, D: int = 3, H: int = 2) -> tuple:
    """Inputs in which every term of the pre-activation is of size 1, so every slip shows in the numbers."""
    return (rng.uniform(-2, 2, D), rng.uniform(-1.5, 1.5, H), rng.uniform(-2, 2, H), rng.uniform(-1, 1, (4 * H, D)),
            rng.uniform(-1, 1, (4 * H, H)), rng.uniform(-1.5, 1.5, 4 * H), rng.uniform(-1.5, 1.5, 4 * H))


CELL_PROBES = tuple(_cell_args(np.random.default_rng(seed)) for seed in (0, 100))   # every slip tells apart
CELL_ARGS = ("x_t", "h_prev", "c_prev", "W_ih", "W_hh", "b_ih", "b_hh")


def _cell_shapes(exc: BaseException) -> str | None:
    """For a shape error in the learner's step: the shapes of the probe, instead of NumPy's text."""
    text = str(exc)
    if not any(w in text for w in ("matmul", "shape", "broadcast", "aligned", "dimension", "split")):
        return None
    x_t, h_prev, c_prev, W_ih, W_hh, b_ih, _ = CELL_PROBES[0]
    H, D = len(h_prev), len(x_t)
    return (f"Its shapes do not fit: here x_t is {x_t.shape}, h_prev and c_prev {h_prev.shape}, W_ih {W_ih.shape} "
            f"(4H, D), W_hh {W_hh.shape} (4H, H), b_ih and b_hh {b_ih.shape}. W_ih @ x_t and W_hh @ h_prev are "
            f"({4 * H},): the four gates stacked, H = {H} rows each (np.split(z, 4)); h_t and c_t are ({H},). "
            f"(D = {D}, H = {H}: x_t @ W_ih or W_ih.T @ x_t do not fit)")


def _cell_shape_hint(shapes: dict) -> str:
    H = len(CELL_PROBES[0][1])
    return (f"h_t and c_t have one value per hidden unit, ({H},) here; the pre-activation is ({4 * H},), the four "
            f"gates stacked, and np.split(z, 4) gives each gate its ({H},) block")


def _match_slips(got: list[tuple[np.ndarray, np.ndarray]]) -> tuple[_Slip, ...] | None:
    """The single slip, or pair of slips, whose numbers the learner's answers on ``CELL_PROBES`` reproduce."""
    def agrees(slips):
        for (h, c), args in zip(got, CELL_PROBES):
            h_s, c_s = _slipped_step(args, slips)
            if max(gap(h, h_s), gap(c, c_s)) > max(tolerance(h), tolerance(c), 1e-7):
                return False
        return True
    singles = _cell_slips()
    for slip in singles:
        if agrees((slip,)):
            return (slip,)
    for a, b in itertools.combinations(singles, 2):
        if a.key != b.key and agrees((a, b)):
            return a, b
    return None


@checker("LSTM cell step", "step")
def check_cell_step(step: Callable, verdict: Verdict) -> CheckResult:
    """Check ``step(x_t, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh) -> (h_t, c_t)``.

    Inputs are 1-D: x_t (D,), h_prev and c_prev (H,), weights stacked in
    torch's order (i, f, g, o). Two probes with every term non-zero; a
    wrong answer is first matched against the common mistakes (and pairs of
    them), each of which gives its own numbers: swapped return order, a
    squashed cell state, gate blocks in the wrong places, a wrong activation
    on one block, a missing bias or weight term, h_t without tanh or
    without o_t. Anything else is traced part by part (``_trace_cell``).
    """
    answers = []
    for args in CELL_PROBES:
        h_ref, c_ref, _ = lstm_cell_forward(*args)
        got = verdict.ask(step, args, {"h_t": h_ref.shape, "c_t": c_ref.shape}, "(h_t, c_t), a tuple of two arrays",
                          hints={Exception: _cell_shapes}, shape_hint=_cell_shape_hint)
        if got is None:
            return verdict.result()
        answers.append((got["h_t"], got["c_t"]))
    refs = [lstm_cell_forward(*args)[:2] for args in CELL_PROBES]
    gaps = [max(gap(h, h_r), gap(c, c_r)) for (h, c), (h_r, c_r) in zip(answers, refs)]
    if all(close(h, h_r) and close(c, c_r) for (h, c), (h_r, c_r) in zip(answers, refs)):
        return verdict.result()
    if max(gaps) <= 1e-5:
        return verdict.fail(f"every value agrees with the right one to {max(gaps):.1e}: that is float32 precision, "
                            "so your step is right, computed in float32 (or float16) somewhere. Compute in float64, "
                            "NumPy's default (or return float32 arrays: they are checked to float32 precision)")
    slips = _match_slips(answers)
    if slips is not None:
        for slip in slips:
            verdict.add(f"{slip.part}: {slip.text}")
        return verdict.result()
    return _trace_cell(step, verdict)


def _trace_cell(step: Callable, verdict: Verdict) -> CheckResult:
    """Name the wrong parts of a step that matches no known slip, each from a probe that isolates it.

    1. The four terms: the same pre-activation z delivered through b_ih, b_hh,
       W_ih @ x_t or W_hh @ h_{t-1} alone must give the same answer, whatever
       the gates do. 2. The gates, read from the answer: with c_{t-1} = 0 the
       cell holds i_t * g_t; one more unit of c_{t-1} adds f_t; h_t / tanh(c_t)
       is o_t.
    """
    rng = np.random.default_rng(5)
    D, H = 3, 2
    z = np.concatenate([rng.uniform(-1.5, 1.5, H), rng.uniform(-1.5, 1.5, H), rng.uniform(0.5, 1.5, H),
                        rng.uniform(-1.5, 1.5, H)])
    zD, zH, z4, zW, zU = np.zeros(D), np.zeros(H), np.zeros(4 * H), np.zeros((4 * H, D)), np.zeros((4 * H, H))
    one_x, one_h = np.eye(D)[0], np.eye(H)[0]

    def run(x_t, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
        args = (x_t, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh)
        got = verdict.ask(step, args, {"h_t": (H,), "c_t": (H,)}, "(h_t, c_t), a tuple of two arrays",
                          hints={Exception: _cell_shapes}, shape_hint=_cell_shape_hint)
        return None if got is None else (got["h_t"], got["c_t"])

    c_prev = rng.uniform(-2, 2, H)
    routes = {"bias b_ih": (zD, zH, c_prev, zW, zU, z, z4),
              "bias b_hh": (zD, zH, c_prev, zW, zU, z4, z),
              "input weights W_ih": (one_x, zH, c_prev, np.outer(z, one_x), zU, z4, z4),
              "recurrent weights W_hh": (zD, one_h, c_prev, zW, np.outer(z, one_h), z4, z4)}
    answers = {}
    for part, args in routes.items():
        answers[part] = run(*args)
        if answers[part] is None:
            return verdict.result()
    base = answers["bias b_ih"]
    for part, (h, c) in list(answers.items())[1:]:
        if not (close(h, base[0]) and close(c, base[1])):
            verdict.add(f"{part}: the same pre-activation gives another answer when it comes through "
                        f"{part.split()[-1]} instead of b_ih. Hint: every term enters the pre-activation alike, "
                        "z = W_ih @ x_t + b_ih + W_hh @ h_{t-1} + b_hh")
    if verdict.problems:
        return verdict.result()
    i_t, f_t, g_t, o_t = sigmoid(z[:H]), sigmoid(z[H:2 * H]), np.tanh(z[2 * H:3 * H]), sigmoid(z[3 * H:])
    empty, one = run(zD, zH, zH, zW, zU, z, z4), run(zD, zH, np.ones(H), zW, zU, z, z4)
    if empty is None or one is None:
        return verdict.result()
    verdict.compare("c_t with c_{t-1} = 0", empty[1], i_t * g_t, "this is i_t * g_t: i_t = sigmoid(rows 0:H), "
                    "g_t = tanh(rows 2H:3H)", part="input gate i_t or candidate g_t")
    verdict.compare("what one unit of c_{t-1} adds to c_t", one[1] - empty[1], f_t,
                    "this is f_t = sigmoid(rows H:2H), which multiplies c_{t-1}", part="forget gate f_t")
    h, c = one
    verdict.compare("h_t given your c_t", h, o_t * np.tanh(c), "h_t = o_t * tanh(c_t), o_t = sigmoid(rows 3H:4H)",
                    part="output gate o_t or hidden state h_t")
    if not verdict.problems:
        verdict.add("full step: each part is right alone but the whole step is not; are the four pre-activations "
                    "computed from the same x_t and h_{t-1}?")
    return verdict.result()


# ---------------------------------------------------------------- notebook 02

def _sequence_slips(x, h0, c0, W_ih, W_hh, b_ih, b_hh) -> list[tuple[str, tuple]]:
    """The common slips of a layer loop, as (what the verdict says, what such a loop returns)."""
    def loop(xs, carry_h=True, carry_c=True, b_hh=b_hh):
        h, c, hs, cs = h0, c0, [], []
        for x_t in xs:
            h, c, _ = lstm_cell_forward(x_t, h if carry_h else h0, c if carry_c else c0, W_ih, W_hh, b_ih, b_hh)
            hs.append(h)
            cs.append(c)
        return np.stack(hs), np.stack(cs), h, c
    hs, cs, h, c = loop(x)
    back, _, h_b, c_b = loop(x[::-1])
    no_c, _, h_nc, c_nc = loop(x, carry_c=False)
    no_h, _, h_nh, c_nh = loop(x, carry_h=False)
    no_b, _, h_nb, c_nb = loop(x, b_hh=np.zeros_like(b_hh))
    return [
        ("time order: your loop runs from the last step to the first (x[::-1]). Hint: step t reads x[t] after step "
         "t-1: for x_t in x, in order", (back, h_b, c_b)),
        ("time order: your loop runs from the last step to the first (x[::-1]). Hint: step t reads x[t] after step "
         "t-1: for x_t in x, in order", (back[::-1], h_b, c_b)),
        ("cell state carried: every step starts from c0. Hint: step t must start from c_{t-1}, the cell state the "
         "previous step returned", (no_c, h_nc, c_nc)),
        ("hidden state carried: every step reads h0. Hint: step t must read h_{t-1}, the previous step's output",
         (no_h, h_nh, c_nh)),
        ("final state: you return (hs, c_T, h_T). Hint: return (hs, h_T, c_T), in that order", (hs, c, h)),
        ("outputs: hs holds the cell states c_t. Hint: the layer's output is h_t at every step; c_t stays inside",
         (cs, h, c)),
        ("final state: h_T and c_T are the state after the first step. Hint: return the state after the last step "
         "(h_T is hs[-1])", (hs, hs[0], cs[0])),
        ("final state: you return the initial state (h0, c0). Hint: return the state after the last step "
         "(h_T is hs[-1])", (hs, h0, c0)),
        ("bias b_hh: b_hh is left out. Hint: the pre-activation is x_t @ W_ih.T + b_ih + h_{t-1} @ W_hh.T + b_hh",
         (no_b, h_nb, c_nb)),
    ]


def _sequence_shapes(exc: BaseException, args: tuple) -> str | None:
    """For a shape error in the learner's loop: the shapes of the probe, instead of NumPy's text."""
    if not any(w in str(exc) for w in ("matmul", "shape", "broadcast", "aligned", "dimension", "split")):
        return None
    x, h0, _, W_ih, W_hh, b_ih, _ = args
    return (f"Its shapes do not fit: here x is {x.shape} (T, B, D), h0 and c0 {h0.shape} (B, H), W_ih {W_ih.shape} "
            f"(4H, D), W_hh {W_hh.shape} (4H, H), b_ih and b_hh {b_ih.shape}. For a batch the pre-activation is "
            f"x_t @ W_ih.T + b_ih + h @ W_hh.T + b_hh, ({x.shape[1]}, {W_ih.shape[0]}), split into four gates on "
            "its last axis")


@checker("LSTM over a sequence", "run")
def check_sequence_forward(run: Callable, verdict: Verdict) -> CheckResult:
    """Check ``run(x, h0, c0, W_ih, W_hh, b_ih, b_hh) -> (hs, h_T, c_T)``, one layer over a sequence.

    x is (T, B, D), h0 and c0 (B, H); hs must be (T, B, H) and h_T, c_T
    (B, H). Probes: one step, then the cell state alone carried (W_hh = 0),
    then the full recurrence, then the returned final state.
    """
    rng = np.random.default_rng(2)
    D, H, B, T = 3, 2, 3, 5

    def args(steps: int, recurrent: bool) -> tuple:
        W_hh = rng.uniform(-1, 1, (4 * H, H)) if recurrent else np.zeros((4 * H, H))
        return (rng.uniform(-2, 2, (steps, B, D)), rng.uniform(-1, 1, (B, H)), rng.uniform(-2, 2, (B, H)),
                rng.uniform(-1, 1, (4 * H, D)), W_hh, rng.uniform(-1, 1, 4 * H), rng.uniform(-1, 1, 4 * H))

    probes = [
        ("first step", args(1, True), "with T = 1 this is the cell of notebook 01 on x[0], h0, c0: gates stacked "
         "(i, f, g, o), pre-activation x_t @ W_ih.T + b_ih + h_{t-1} @ W_hh.T + b_hh"),
        ("cell state carried", args(T, False), "step t must start from c_{t-1}, the cell state the previous step "
         "returned (not c0 or zeros); here W_hh = 0, so only c is carried"),
        ("hidden state carried", args(T, True), "step t must read h_{t-1}, the previous step's output, "
         "through W_hh"),
    ]
    for part, a, hint in probes:
        hs_ref, cache = sequence_forward(a[0], a[1], a[2], a[3], a[4], a[5] + a[6])
        refs = {"hs": hs_ref, "h_T": cache.h[-1], "c_T": cache.c[-1]}
        got = verdict.ask(run, a, {k: v.shape for k, v in refs.items()}, "(hs, h_T, c_T), a tuple of three arrays",
                          hints={Exception: lambda exc, a=a: _sequence_shapes(exc, a)},
                          shape_hint=lambda shapes: "x is (T, B, D): loop over the first axis, time")
        if got is None:
            return verdict.result()
        wrong_steps = [t for t in range(len(hs_ref)) if not close(got["hs"][t], hs_ref[t])]
        wrong = [k for k in ("h_T", "c_T") if not close(got[k], refs[k])]
        if wrong_steps or wrong:   # a known slip says more than its first wrong step
            names, right = ("hs", "h_T", "c_T"), (hs_ref, refs["h_T"], refs["c_T"])
            said = [text for text, out in _sequence_slips(*a)
                    if max(map(gap, out, right)) > 1e-6    # a slip this probe cannot show (T = 1: order) says nothing
                    and all(gap(got[k], v) <= max(tolerance(got[k]), 1e-7) for k, v in zip(names, out))]
            if said:
                return verdict.fail(said[0])
        if wrong_steps:  # the first wrong step says the most
            t = wrong_steps[0]
            verdict.compare(f"hs[{t}]", got["hs"][t], hs_ref[t], hint, part=part)
            return verdict.result()
        if wrong:
            return verdict.fail(f"final state: {' and '.join(wrong)} wrong although every h_t is right. "
                                "Hint: return the state after the last step (h_T is hs[-1])")
    return verdict.result()


BACKWARD_KEYS = ("x_t", "h_prev", "c_prev", "W_ih", "W_hh", "b_ih", "b_hh")


@checker("LSTM cell backward", "backward")
def check_cell_backward(backward: Callable, verdict: Verdict) -> CheckResult:
    """Check ``backward(dh_t, dc_t, cache, W_ih, W_hh) -> dict`` of gradients, as ``cell.lstm_cell_backward``.

    The dict has keys x_t, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh. A wrong
    answer is traced to its first wrong gradient along the backward pass:
    dc (the two paths into c_t), then each gate's block of dz (read from
    b_ih, whose gradient is dz itself), then the products with x_t, h_{t-1}
    and the weights, then the sum over a batch.
    """
    rng = np.random.default_rng(3)
    D, H = 3, 2

    def case(batch: tuple[int, ...], dh_zero: bool = False) -> tuple:
        W_ih, W_hh = rng.uniform(-1, 1, (4 * H, D)), rng.uniform(-1, 1, (4 * H, H))
        b = rng.uniform(-1, 1, 4 * H)
        x, h, c = rng.uniform(-2, 2, (*batch, D)), rng.uniform(-1, 1, (*batch, H)), rng.uniform(-2, 2, (*batch, H))
        _, _, cache = lstm_cell_forward(x, h, c, W_ih, W_hh, b, np.zeros(4 * H))
        dh = np.zeros((*batch, H)) if dh_zero else rng.uniform(-1, 1, (*batch, H))
        return dh, rng.uniform(-1, 1, (*batch, H)), cache, W_ih, W_hh

    def run(a: tuple):
        """The learner's gradients and the reference ones, or None (the problem is in the verdict)."""
        ref = lstm_cell_backward(*a)
        got = verdict.ask(backward, a, {k: ref[k].shape for k in BACKWARD_KEYS},
                          f"a dict with keys {list(BACKWARD_KEYS)}", keyed=True,
                          shape_hint=lambda shapes: "each gradient has the shape of what it is the gradient of")
        return None if got is None else (got, ref)

    # 1. dc_prev with dh_t = 0 (only the carousel), then with both paths into c_t.
    for dh_zero, hint in ((True, "dc_prev = dc * f_t: the cell state's gradient passes the forget gate, "
                                 "and only it"),
                          (False, "dc = dc_t + dh_t * o_t * (1 - tanh(c_t)^2): c_t also reaches the loss "
                                  "through h_t = o_t * tanh(c_t)")):
        res = run(case((), dh_zero))
        if res is None or not verdict.compare("dL/dc_prev", res[0]["c_prev"], res[1]["c_prev"], hint):
            return verdict.result()
    # 2. Each gate's block of dz = db_ih.
    res = run(case(()))
    if res is None:
        return verdict.result()
    got, ref = res
    gate_hints = {
        "i": "dz_i = dc * g_t * i_t * (1 - i_t): i_t multiplies g_t in c_t, and sigmoid' = i_t (1 - i_t)",
        "f": "dz_f = dc * c_{t-1} * f_t * (1 - f_t): f_t multiplies c_{t-1}, and sigmoid' = f_t (1 - f_t)",
        "g": "dz_g = dc * i_t * (1 - g_t^2): g_t is a tanh, whose derivative is 1 - g_t^2",
        "o": "dz_o = dh_t * tanh(c_t) * o_t * (1 - o_t): o_t only touches h_t, not c_t",
    }
    blocks = [slice(k * H, (k + 1) * H) for k in range(4)]
    holds = [next((j for j in range(4) if close(got["b_ih"][blocks[k]], ref["b_ih"][blocks[j]])), None)
             for k in range(4)]
    if sorted(h for h in holds if h is not None) == list(range(4)) and holds != list(range(4)):
        order = ", ".join("ifgo"[j] for j in holds)
        return verdict.fail(f"dz: every gate's gradient is right but the blocks are stacked ({order}). Hint: stack dz "
                            "in the order of the rows of W_ih, (i, f, g, o), as the forward pass split them")
    for k, (gate, hint) in enumerate(gate_hints.items()):
        block = blocks[k]
        verdict.compare(f"its block of dL/db_ih (rows {k * H}:{(k + 1) * H})", got["b_ih"][block], ref["b_ih"][block],
                        hint, part=f"{gate} gate")
    if verdict.problems:
        return verdict.result()
    # 3. The rest, now that dz is right.
    rest = (("b_hh", "b_hh is added to the pre-activation just like b_ih: its gradient is dz too"),
            ("W_ih", "dW_ih = outer(dz, x_t), shape (4H, D)"),
            ("W_hh", "dW_hh = outer(dz, h_{t-1}), shape (4H, H)"),
            ("x_t", "dx_t = dz @ W_ih, shape (D,)"),
            ("h_prev", "dh_prev = dz @ W_hh, shape (H,)"))
    for name, hint in rest:
        verdict.compare(f"dL/d{name}", got[name], ref[name], hint)
    if verdict.problems:
        return verdict.result()
    # 4. A batch: the weight gradients are sums over the examples.
    res = run(case((4,)))
    if res is None:
        return verdict.result()
    got, ref = res
    wrong = [k for k in BACKWARD_KEYS if not close(got[k], ref[k])]
    if wrong:
        return verdict.fail(f"batch of 4: {', '.join(wrong)} wrong although one example is right. "
                            "Hint: the weights and biases serve every example, so their gradients "
                            "sum over the batch axis (x_t, h_prev, c_prev keep it)")
    return verdict.result()


# ---------------------------------------------------------------- notebook 04

@checker("gradient through a constant forget gate", "predict")
def check_forget_scaling(predict: Callable[[float, int], float], verdict: Verdict) -> CheckResult:
    """Check ``predict(forget_bias, k)``: the ratio ||dL/dc_{T-k}|| / ||dL/dc_T|| with a constant forget gate.

    Each prediction is compared with ``constant_forget_ratio`` measured by
    autograd; a wrong answer is matched against the usual slips.
    """
    slips = [
        ("the gate is sigmoid(b), not b itself", lambda b, k: b ** k),
        ("the factors multiply along the chain: a power of f, not f times k", lambda b, k: sigmoid(b) * k),
        ("k steps back means exactly k factors of f, not k + 1", lambda b, k: sigmoid(b) ** (k + 1)),
        ("k steps back means exactly k factors of f, not k - 1", lambda b, k: sigmoid(b) ** (k - 1)),
        ("you raised 1 - f = sigmoid(-b), the fraction forgotten, to the k; f = sigmoid(b) = 1 / (1 + exp(-b)), "
         "with a minus sign, is the fraction kept", lambda b, k: (1 - sigmoid(b)) ** k),
        ("a gate is a sigmoid, not a tanh", lambda b, k: np.tanh(b) ** k),
        ("each step multiplies by f: a power of f, not exp(-k f)", lambda b, k: math.exp(-k * sigmoid(b))),
        ("the ratio depends on k: k factors of f", lambda b, k: sigmoid(b)),
    ]
    for b, k in ((2.0, 1), (0.0, 5), (1.0, 10), (2.0, 30), (-1.0, 3), (3.0, 0)):
        measured = constant_forget_ratio(b, k)
        got = verdict.ask(predict, (b, k), {"the prediction": ()}, "one number",
                          shape_hint=lambda shapes: "return one number, e.g. float(...)")
        if got is None:
            return verdict.result()
        rel = 1e-9 if tolerance(got["the prediction"]) == TOL else LOW_TOL   # float32 answers: their precision
        p = float(got["the prediction"])
        if math.isclose(p, measured, rel_tol=rel, abs_tol=1e-300):
            continue
        off = abs(p - measured) / abs(measured) if measured else math.inf
        said = (f"forget bias {b:g}, k = {k}: you predict {p:.12g}, autograd measures {measured:.12g} "
                f"(relative gap {off:.1e}).")
        hints = [hint for hint, slip in slips if _same(p, slip(b, k), rel)]
        if hints:
            return verdict.fail(f"{said} Hint: {hints[0]}.")
        if off < 1e-2 and any(_same(p, round(measured, n), 1e-12) for n in range(1, 9)):
            return verdict.fail(f"{said} Hint: you rounded the ratio; return it unrounded")
        if off < 1e-5:
            return verdict.fail(f"{said} That is float32 precision: your formula is right, computed in float32 "
                                "somewhere; compute in float64 (Python floats, NumPy's default)")
        if off < 1e-2:
            return verdict.fail(f"{said} Close, but more than rounding: is sigmoid computed exactly, "
                                "1 / (1 + exp(-b))?")
        return verdict.fail(f"{said} Hint: follow dc_t/dc_(t-1) = f_t back k steps.")
    return verdict.result()


def _same(a: float, b: float, rel: float) -> bool:
    try:
        return math.isclose(a, float(b), rel_tol=rel)
    except (OverflowError, ValueError, TypeError):
        return False


# ---------------------------------------------------------------- notebook 05

@checker("last real step of a padded batch", "fn")
def check_last_step(fn: Callable, verdict: Verdict) -> CheckResult:
    """Check ``fn(output, lengths) -> (B, F)``, the last real step of each sequence, batch_first.

    The probe's output (a torch tensor (B, T, F), B = T so that indexing
    the wrong axis still runs) holds 10 b + t in every feature of row b at
    step t, so the answer says which row and which step were picked.
    """
    lengths = torch.tensor([5, 2, 4, 1, 3])
    B, T, F = len(lengths), 5, 3
    code = 10 * torch.arange(B, dtype=torch.float32).view(B, 1, 1) + torch.arange(T, dtype=torch.float32).view(1, T, 1)
    output = code.expand(B, T, F).clone()
    got = verdict.ask(fn, (output, lengths), {"the picked rows": (B, F)}, "a (B, F) array, one row per sequence",
                      hints={IndexError: "it indexed past the end: the last real step of row b is lengths[b] - 1, "
                                         "steps count from 0, and output is batch_first (B, T, F)"},
                      shape_hint=lambda shapes: "output is batch_first (B, T, F): pick one step per row b, "
                                                "output[b, lengths[b] - 1]")
    if got is None:
        return verdict.result()
    rows, n = got["the picked rows"], lengths.numpy()
    if not np.all(rows == rows[:, :1]):
        return verdict.fail("each row must be one step's output, copied whole; the features of a row differ")
    if np.allclose(rows[:, 0], code[:, :, 0].mean(dim=1).numpy()):
        return verdict.fail("you averaged over every step, padding included. Hint: the summary of a padded "
                            "sequence is its output at its last real step, lengths[b] - 1")
    values = np.round(rows[:, 0])
    if not np.array_equal(values, rows[:, 0]) or np.any((values < 0) | (values >= 10 * B) | (values % 10 >= T)):
        return verdict.fail(f"each row must be one step's output, copied as it is; your rows hold {show(rows[:, 0])}, "
                            "values the output does not have (did you add, average or scale steps?)")
    row, step, want, everyone = values // 10, values % 10, n - 1, np.arange(B)
    if np.array_equal(row, everyone) and np.array_equal(step, want):
        return verdict.result()
    if np.array_equal(row, want) and np.array_equal(step, everyone):
        return verdict.fail("axes swapped: you took output[lengths[b] - 1, b], so lengths - 1 picked the row and b "
                            "the step. Hint: output is batch_first (B, T, F): row first, output[b, lengths[b] - 1]")
    if np.all(row == B - 1) and np.array_equal(step, everyone):
        return verdict.fail("you took output[-1]: the last *sequence*, every step of it. Hint: output is batch_first "
                            "(B, T, F); pick one step per row, output[b, lengths[b] - 1]")
    if not np.array_equal(row, everyone):
        return verdict.fail(f"row b must come from sequence b; yours come from sequences {_steps(row)}. Hint: "
                            "index the rows with torch.arange(B)")
    if np.all(step == T - 1):
        return verdict.fail(f"you took step {T - 1} for every row: that is padding for the sequences of lengths "
                            f"{[int(m) for m in n if m < T]}. Hint: the last real step of row b is lengths[b] - 1")
    if np.array_equal(step, np.minimum(n, T - 1)) or np.array_equal(step, n % T):
        return verdict.fail("off by one: you took step lengths[b]; steps count from 0, so the last real one is "
                            "lengths[b] - 1")
    if np.all(step == 0):
        return verdict.fail("you took step 0 for every row, the first step. Hint: the last real step of row b is "
                            "lengths[b] - 1")
    for b in range(B):
        if step[b] != want[b]:
            verdict.add(f"row {b} (length {n[b]}): step {step[b]:g}, expected {want[b]}")
    return verdict.result()


# ---------------------------------------------------------------- notebook 06

@checker("summary of a bidirectional output", "fn")
def check_summary(fn: Callable, verdict: Verdict) -> CheckResult:
    """Check ``fn(output, H) -> (B, 2H)`` against ``summary``.

    The probe's output (T, B, 2H) holds, at step t (1..T), a number of its
    own for each direction, forward positive, backward negative, in an order
    that goes up and down (so the max, min, mean or sum over time is no
    step's value, and each unit peaks at another step), plus a small offset
    per row. The answer shows
    which step, direction or pool each half was taken from.
    """
    T, B, H = 5, 3, 2
    codes = {"forward": np.array([[3.0, 6.0], [7.0, 2.0], [1.0, 7.0], [6.0, 1.0], [4.0, 4.0]]),   # (T, H): each
             "backward": -np.array([[5.0, 2.0], [2.0, 8.0], [8.0, 1.0], [1.0, 5.0], [6.0, 6.0]])}  # unit peaks elsewhere
    offset = 0.01 * np.arange(B)[None, :, None]
    output = np.concatenate([codes[d][:, None, :] + offset for d in ("forward", "backward")], axis=-1)
    got = verdict.ask(fn, (output, H), {"the summary": (B, 2 * H)}, "a (B, 2H) array, one vector per sequence",
                      shape_hint=lambda shapes: "output is (T, B, 2H), time first: the summary takes one step "
                                                "of each half for every sequence, (B, 2H)")
    if got is None:
        return verdict.result()
    got, want = got["the summary"], summary(output, H)
    halves = {"forward": slice(0, H), "backward": slice(H, 2 * H)}
    right = {"forward": T, "backward": 1}
    pools = {"max": np.max, "min": np.min, "mean": np.mean, "sum": np.sum}
    for half, cols in halves.items():
        part = got[:, cols]
        if np.allclose(part, want[:, cols], rtol=0, atol=1e-6):
            continue
        said = None
        for source, src in halves.items():
            other = "" if source == half else f"the {source} direction's numbers ({source} is output[..., "
            other += ("" if source == half else (":H]" if source == "forward" else "H:]") + "), ")
            for t in range(1, T + 1):
                if said is None and np.allclose(part, output[t - 1][:, src], rtol=0, atol=1e-6):
                    said = (f"{half} half: {other}taken at step {t}, expected the {half} output at step "
                            f"{right[half]}. Hint: the {half} direction has read the whole sequence at step "
                            f"{right[half]}" + (" (output[-1]'s backward half has read only x_T)"
                                                if half == "backward" and t == T else ""))
            for name, pool in pools.items():
                if said is None and np.allclose(part, pool(output[:, :, src], axis=0), rtol=0, atol=1e-6):
                    said = (f"{half} half: {other}the {name} over time, expected the {half} output at step "
                            f"{right[half]}. Hint: the summary is one step's output, the step where the {half} "
                            "direction has read the whole sequence, not a pool over steps")
        verdict.add(said or f"{half} half: expected the output at step {right[half]}, {show(want[0, cols])} for "
                            f"the first sequence, got {show(part[0])}")
    return verdict.result()


# ---------------------------------------------------------------- notebook 07

def _steps(a: np.ndarray) -> list:
    """Values that name steps, as ints where they are whole: ``[1, 2, 3]``."""
    return [int(v) if float(v).is_integer() else round(float(v), 4) for v in np.ravel(a)]


@checker("windowing", "fn")
def check_windows(fn: Callable, verdict: Verdict) -> CheckResult:
    """Check the learner's ``fn(series, window) -> (X, y)`` against ``make_windows``.

    The probe series is 0, 1, 2, ... so every value names its own index and
    a wrong window says exactly which steps it took. X must be (N, window, 1)
    and y (N, 1), N = 10 - window.
    """
    series, window = np.arange(10.0), 3
    X_ref, y_ref = make_windows(series, window)
    got = verdict.ask(fn, (series, window), {"X": X_ref.shape, "y": y_ref.shape}, "(X, y), a tuple of two arrays",
                      shape_hint=lambda shapes: "the shapes are for 10 values and window 3" + (
                          "; X needs a last axis of 1 feature: X[..., None]" if shapes["X"] == X_ref.shape[:2] else ""))
    if got is None:
        return verdict.result()
    X, y = got["X"], got["y"]
    ahead = X[:, :, 0].max(axis=1) >= y[:, 0]
    if np.any(ahead):
        k = int(np.argmax(ahead))
        verdict.add(f"look-ahead: window {k} holds steps {_steps(X[k, :, 0])} but its target is "
                    f"step {_steps(y[k])[0]}; the input must end just before the target")
    elif not np.array_equal(y, y_ref):
        verdict.add(f"targets: y should be steps {_steps(y_ref)} (the value right after each window), "
                    f"got {_steps(y)}")
    if not verdict.problems and not np.array_equal(X, X_ref):
        verdict.add(f"windows: X[k] should be steps k .. k+2, e.g. X[0] = [0, 1, 2], got {_steps(X[0])}")
    return verdict.result()


# ---------------------------------------------------------------- notebook 09

NESTING_PROBE = '(a+["x(y"*b])\n[z]-"]"*(x)\n'   # both kinds of bracket, brackets in quotes, two lines


def _depth_counting(text: str, opening: str = "([", closing: str = ")]", quotes: bool = True,
                    closes: bool = True, quote_ends: bool = True) -> np.ndarray:
    """Depth after each character, counted with one of the learner's usual slips (the keyword that is off)."""
    out, d, quoted = np.zeros(len(text)), 0, False
    for t, ch in enumerate(text):
        if ch == QUOTE and quotes:
            quoted = (not quoted) if quote_ends else True
        elif not quoted and ch in opening:
            d += 1
        elif not quoted and ch in closing and closes:
            d -= 1
        out[t] = d
    return out


@checker("nesting depth of every character", "fn")
def check_nesting_depth(fn: Callable, verdict: Verdict) -> CheckResult:
    """Check the learner's ``fn(text) -> (len(text),)`` depths against ``char_lstm.nesting_depth``.

    One probe text holds round and square brackets, brackets inside string
    literals and two lines; each usual slip gives a different answer on it,
    so a wrong answer is named by the slip it matches.
    """
    text = NESTING_PROBE
    want = nesting_depth(text)
    got = verdict.ask(fn, (text,), {"the depths": (len(text),)},
                      f"an array of {len(text)} depths, one per character of the text")
    if got is None:
        return verdict.result()
    got = got["the depths"]
    if np.array_equal(got, want):
        return verdict.result()
    slips = [
        (np.concatenate([[0.0], want[:-1]]), "off by one: you gave the depth before each character; count it after "
                                             "reading the character, so '(' itself is at depth 1 and ')' at the depth outside"),
        (want + 1, "your depths are all 1 too high: the depth is 0 before the first character and on a line's end"),
        (-want, "opening and closing are swapped: '(' and '[' add 1, ')' and ']' subtract 1"),
        (_depth_counting(text, quotes=False), "you counted the brackets inside string literals: between two '\"' "
                                              "a bracket is text, not nesting"),
        (_depth_counting(text, quote_ends=False), "a second '\"' must end the string: after a closing quote, "
                                                  "brackets count again"),
        (_depth_counting(text, "(", ")"), "you counted only round brackets: '[' and ']' nest too"),
        (_depth_counting(text, "[", "]"), "you counted only square brackets: '(' and ')' nest too"),
        (_depth_counting(text, closes=False), "your depth never goes down: a closing bracket ')' or ']' "
                                              "subtracts 1"),
    ]
    for wrong, message in slips:
        if np.array_equal(got, wrong):
            return verdict.fail(message)
    t = int(np.argmax(got != want))
    return verdict.fail(f"at character {t} ({text[t]!r} in {text[max(0, t - 6):t + 1]!r}) your depth is {got[t]:g}, "
                        f"expected {want[t]:g}; the depths should be {_steps(want)}")


# ---------------------------------------------------------------- notebook 08

def _cifg_probe(seed: int, D: int = 3, H: int = 2) -> tuple[np.ndarray, ...]:
    """x_t (D,), h_prev and c_prev (H,), W_ih (3H, D), W_hh (3H, H), b_ih and b_hh (3H,): CIFG's blocks (i, g, o)."""
    rng = np.random.default_rng(seed)
    return (rng.uniform(-1, 1, D), rng.uniform(-1, 1, H), rng.uniform(0.5, 2.0, H) * rng.choice([-1, 1], H),
            rng.uniform(-1, 1, (3 * H, D)), rng.uniform(-1, 1, (3 * H, H)), rng.uniform(-1, 1, 3 * H),
            rng.uniform(-1, 1, 3 * H))


CIFG_PROBES = (_cifg_probe(80), _cifg_probe(81))


def cifg_reference(x_t, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh) -> tuple[np.ndarray, np.ndarray]:
    """(h_t, c_t) of the package's CIFG cell (``VariantLSTM(coupled=True)``, float64) given its weights, 1-D inputs."""
    H, D = len(h_prev), len(x_t)
    cell = VariantLSTM(D, H, coupled=True).double()
    with torch.no_grad():
        for name, value in (("weight_ih", W_ih), ("weight_hh", W_hh), ("bias_ih", b_ih), ("bias_hh", b_hh)):
            getattr(cell, name).copy_(torch.as_tensor(value, dtype=torch.float64))
        h_t, c_t, _ = cell.step(*(torch.as_tensor(v, dtype=torch.float64) for v in (x_t, h_prev, c_prev)))
    return h_t.numpy(), c_t.numpy()


CIFG_SLIPS = {   # slip -> what it is; _cifg_slipped computes each one's numbers
    "f = i": "you forget with f_t = i_t; CIFG's forget gate is 1 - i_t: c_t = (1 - i_t) * c_{t-1} + i_t * g_t",
    "swapped": "1 - i_t and i_t are swapped: you keep i_t * c_{t-1} and write (1 - i_t) * g_t; the input gate i_t "
               "writes the candidate, and what it does not write, 1 - i_t, is what the cell keeps",
    "no forgetting": "your cell never forgets: c_t = c_{t-1} + i_t * g_t is the 1997 cell; CIFG keeps only "
                     "(1 - i_t) * c_{t-1}",
    "block order": "the blocks are read in the wrong order: CIFG stacks (i, g, o), torch's order without f, so g_t "
                   "comes from rows H:2H and o_t from rows 2H:3H",
    "sigmoid g": "g_t went through a sigmoid: the candidate is tanh(...), in [-1, 1]",
    "no tanh": "h_t = o_t * c_t: the tanh is missing, h_t = o_t * tanh(c_t)",
    "no b_hh": "b_hh is left out: the pre-activation is W_ih @ x_t + b_ih + W_hh @ h_{t-1} + b_hh",
    "returned (c, h)": "you return (c_t, h_t); return (h_t, c_t), in that order",
}


def _cifg_slipped(args: tuple, slip: str) -> tuple[np.ndarray, np.ndarray]:
    """(h_t, c_t) as a step with the one ``slip`` of ``CIFG_SLIPS`` computes them (h and c swapped for its return slip)."""
    x_t, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh = args
    H = len(h_prev)
    a = W_ih @ x_t + b_ih + W_hh @ h_prev + (0.0 if slip == "no b_hh" else b_hh)
    a_i, a_g, a_o = a[:H], a[H:2 * H], a[2 * H:]
    if slip == "block order":
        a_o, a_g = a_g, a_o
    i_t, o_t = sigmoid(a_i), sigmoid(a_o)
    g_t = sigmoid(a_g) if slip == "sigmoid g" else np.tanh(a_g)
    keep, write = {"f = i": (i_t, i_t), "swapped": (i_t, 1 - i_t), "no forgetting": (1.0, i_t)}.get(slip, (1 - i_t, i_t))
    c_t = keep * c_prev + write * g_t
    h_t = o_t * (c_t if slip == "no tanh" else np.tanh(c_t))
    return (c_t, h_t) if slip == "returned (c, h)" else (h_t, c_t)


@checker("CIFG step: coupled input and forget gate", "step")
def check_cifg_step(step: Callable, verdict: Verdict) -> CheckResult:
    """Check ``step(x_t, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh) -> (h_t, c_t)`` against ``VariantLSTM(coupled=True)``.

    Inputs are 1-D: x_t (D,), h_prev and c_prev (H,); the weights stack
    CIFG's three blocks (i, g, o), 3H rows. Two probes; a wrong answer is
    matched against each slip of ``CIFG_SLIPS`` (each gives its own
    numbers), else c_t and h_t are compared with the equation beside each.
    """
    answers = []
    for args in CIFG_PROBES:
        H = len(args[1])
        got = verdict.ask(step, args, {"h_t": (H,), "c_t": (H,)}, "(h_t, c_t), a tuple of two arrays")
        if got is None:
            return verdict.result()
        answers.append((got["h_t"], got["c_t"]))
    refs = [cifg_reference(*args) for args in CIFG_PROBES]
    if all(close(h, h_r) and close(c, c_r) for (h, c), (h_r, c_r) in zip(answers, refs)):
        return verdict.result()
    for slip, text in CIFG_SLIPS.items():
        if all(close(h, h_s) and close(c, c_s) for (h, c), args in zip(answers, CIFG_PROBES)
               for h_s, c_s in [_cifg_slipped(args, slip)]):
            return verdict.fail(text)
    for (h, c), (h_r, c_r) in zip(answers, refs):          # the first probe that shows a wrong part names it
        right_c = verdict.compare("c_t", c, c_r, "c_t = (1 - i_t) * c_{t-1} + i_t * g_t, i_t = sigmoid(rows 0:H), "
                                  "g_t = tanh(rows H:2H)", part="cell state")
        right_h = verdict.compare("h_t", h, h_r, "h_t = o_t * tanh(c_t), o_t = sigmoid(rows 2H:3H)",
                                  part="hidden state")
        if not (right_c and right_h):
            break
    return verdict.result()
