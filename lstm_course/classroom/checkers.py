"""Checkers for the exercises: each says "pass" or which part is wrong.

A checker feeds the learner's function inputs in which every term but one
is zero (or pinned by a bias), so a wrong answer points at one gate.

Every checker has the shape that ``checking`` gives it: ``@checker(title,
arg)`` (a TypeError if the learner passes something that is not a function;
a verdict, never a traceback, whatever the function returns), probes, then
``verdict.ask`` (call it, read its answer as arrays of the right shapes),
``verdict.compare`` (name the wrong part), ``verdict.result()``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch

from ..lstm.activations import sigmoid
from ..lstm.cell import CellParams, lstm_cell_backward, lstm_cell_forward
from ..lstm.sequence import sequence_forward
from ..topics.bidirectional import summary
from ..topics.gradient_flow import constant_forget_ratio
from ..topics.sine import make_windows
from .checking import LOW_TOL, TOL, CheckResult, Verdict, checker, close, show, tolerance


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


@checker("LSTM cell step", "step")
def check_cell_step(step: Callable, verdict: Verdict) -> CheckResult:
    """Check ``step(x_t, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh) -> (h_t, c_t)``.

    Inputs are 1-D: x_t (D,), h_prev and c_prev (H,), weights stacked in
    torch's order (i, f, g, o). Each probe zeroes all inputs but one term.
    """
    wrong = set()
    for probe in _cell_probes():
        if wrong.intersection(probe.after):
            continue
        args = (probe.x_t, probe.h_prev, probe.c_prev, *probe.params)
        h_ref, c_ref, _ = lstm_cell_forward(*args)
        got = verdict.ask(step, args, {"h_t": h_ref.shape, "c_t": c_ref.shape}, "(h_t, c_t), a tuple of two arrays")
        if got is None:
            return verdict.result()
        for name, ref in (("c_t", c_ref), ("h_t", h_ref))[:1 + probe.check_h]:
            if not verdict.compare(name, got[name], ref, probe.hint, part=probe.part):
                wrong.add(probe.part)
                break
    if not verdict.problems:  # each term was right alone; now all of them at once
        rng = np.random.default_rng(1)
        args = (rng.uniform(-2, 2, 3), rng.uniform(-2, 2, 2), rng.uniform(-2, 2, 2),
                *(rng.uniform(-1, 1, s) for s in ((8, 3), (8, 2), 8, 8)))
        h_ref, c_ref, _ = lstm_cell_forward(*args)
        got = verdict.ask(step, args, {"h_t": h_ref.shape, "c_t": c_ref.shape}, "(h_t, c_t), a tuple of two arrays")
        hint = ("every term is right alone but not together; are the four pre-activations computed from the same x_t "
                "and h_{t-1}?")
        if got is not None and verdict.compare("c_t", got["c_t"], c_ref, hint, part="full step"):
            verdict.compare("h_t", got["h_t"], h_ref, hint, part="full step")
    return verdict.result()


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
                          shape_hint=lambda shapes: "x is (T, B, D): loop over the first axis, time")
        if got is None:
            return verdict.result()
        wrong_steps = [t for t in range(len(hs_ref)) if not close(got["hs"][t], hs_ref[t])]
        if wrong_steps:  # the first wrong step says the most
            t = wrong_steps[0]
            verdict.compare(f"hs[{t}]", got["hs"][t], hs_ref[t], hint, part=part)
            return verdict.result()
        wrong = [k for k in ("h_T", "c_T") if not close(got[k], refs[k])]
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
    for k, (gate, hint) in enumerate(gate_hints.items()):
        block = slice(k * H, (k + 1) * H)
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
        hints = [hint for hint, slip in slips if math.isclose(p, slip(b, k), rel_tol=rel)]
        hint = f" Hint: {hints[0]}." if hints else " Hint: follow dc_t/dc_(t-1) = f_t back k steps."
        return verdict.fail(f"forget bias {b:g}, k = {k}: you predict {p:.6g}, autograd measures {measured:.6g}.{hint}")
    return verdict.result()


# ---------------------------------------------------------------- notebook 05

@checker("last real step of a padded batch", "fn")
def check_last_step(fn: Callable, verdict: Verdict) -> CheckResult:
    """Check ``fn(output, lengths) -> (B, F)``, the last real step of each sequence, batch_first.

    The probe's output (a torch tensor (B, T, F)) holds step t in every
    feature of row b, at step t (output[b, t] = t), so the answer says which
    step was picked for each row.
    """
    lengths = torch.tensor([5, 2, 4, 1])
    B, T, F = len(lengths), 5, 3
    output = torch.arange(T, dtype=torch.float32).view(1, T, 1).expand(B, T, F).clone()
    got = verdict.ask(fn, (output, lengths), {"the picked rows": (B, F)}, "a (B, F) array, one row per sequence",
                      hints={IndexError: "it indexed past the end: the last real step of row b is lengths[b] - 1, "
                                         "steps count from 0"},
                      shape_hint=lambda shapes: ("output[-1] of a batch_first output is the last *sequence*, every "
                                                 "step of it" if shapes["the picked rows"] == (T, F) else ""))
    if got is None:
        return verdict.result()
    rows, n = got["the picked rows"], lengths.numpy()
    if not np.all(rows == rows[:, :1]):
        return verdict.fail("each row must be one step's output, copied whole; the features of a row differ")
    picked, want = np.round(rows[:, 0]), n - 1
    if np.array_equal(picked, want):
        return verdict.result()
    if np.all(picked == T - 1):
        return verdict.fail(f"you took step {T - 1} for every row: that is padding for the sequences of lengths "
                            f"{[int(m) for m in n if m < T]}. Hint: the last real step of row b is lengths[b] - 1")
    if np.array_equal(picked, np.minimum(n, T - 1)):
        return verdict.fail("off by one: you took step lengths[b]; steps count from 0, so the last real one is "
                            "lengths[b] - 1")
    for b in range(B):
        if picked[b] != want[b]:
            verdict.add(f"row {b} (length {n[b]}): step {picked[b]:g}, expected {want[b]}")
    return verdict.result()


# ---------------------------------------------------------------- notebook 06

@checker("summary of a bidirectional output", "fn")
def check_summary(fn: Callable, verdict: Verdict) -> CheckResult:
    """Check ``fn(output, H) -> (B, 2H)`` against ``summary``.

    The probe's output (T, B, 2H) holds, in every feature, the step it
    belongs to: forward half +t, backward half -t (t = 1..T), so the answer
    shows which step each half was taken from.
    """
    T, B, H = 4, 3, 2
    t = np.arange(1, T + 1, dtype=float)[:, None, None]
    output = np.concatenate([np.broadcast_to(t, (T, B, H)), np.broadcast_to(-t, (T, B, H))], axis=-1)
    got = verdict.ask(fn, (output, H), {"the summary": (B, 2 * H)}, "a (B, 2H) array, one vector per sequence")
    if got is None:
        return verdict.result()
    got, want = got["the summary"], summary(output, H)
    for half, lo, sign, right in (("forward", 0, 1, T), ("backward", H, -1, 1)):
        part = got[:, lo:lo + H]
        if np.array_equal(part, want[:, lo:lo + H]):
            continue
        if np.all(part == part.flat[0]) and part.flat[0] in sign * t.ravel():
            step = int(sign * part.flat[0])
            verdict.add(f"{half} half: taken at step {step}, expected step {right}. Hint: the {half} direction "
                        f"has read the whole sequence at step {right}" +
                        (" (output[-1]'s backward half has read only x_T)" if half == "backward" and step == T else ""))
        elif np.all(part == part.flat[0]) and -part.flat[0] in sign * t.ravel():
            verdict.add(f"{half} half: it holds the other direction's numbers; output[..., :H] is forward, "
                        "output[..., H:] backward")
        else:
            verdict.add(f"{half} half: expected the output at step {right}, got {show(part[0])}")
    return verdict.result()


# ---------------------------------------------------------------- notebook 07

def _steps(a: np.ndarray) -> list:
    """Values that name steps, as ints where they are whole: ``[1, 2, 3]``."""
    return [int(v) if float(v).is_integer() else float(v) for v in np.ravel(a)]


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

from ..topics.char_lstm import QUOTE, nesting_depth  # noqa: E402

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
