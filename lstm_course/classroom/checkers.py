"""Checkers for the exercises: each says "pass" or which part is wrong.

A checker feeds the learner's function inputs in which every term but one
is zero (or pinned by a bias), so a wrong answer points at one gate.
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
from .checking import CheckResult, call_learner

TOL = 1e-8


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
        out, failed = call_learner(title, step, *args)
        if failed is not None:
            return failed
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
        out, failed = call_learner(title, step, *args)
        if failed is not None:
            return failed
        h, c = (np.asarray(v, dtype=float) for v in out)
        if not (np.allclose(c, c_ref, atol=TOL, rtol=0) and np.allclose(h, h_ref, atol=TOL, rtol=0)):
            problems.append("full step: every term is right alone but not together; are the four pre-activations "
                            "computed from the same x_t and h_{t-1}?")
    return CheckResult(title, not problems, problems)


def check_sequence_forward(run: Callable) -> CheckResult:
    """Check ``run(x, h0, c0, W_ih, W_hh, b_ih, b_hh) -> (hs, h_T, c_T)``, one layer over a sequence.

    x is (T, B, D), h0 and c0 (B, H); hs must be (T, B, H) and h_T, c_T
    (B, H). Probes: one step, then the cell state alone carried (W_hh = 0),
    then the full recurrence, then the returned final state.
    """
    title = "LSTM over a sequence"
    if not callable(run):
        raise ValueError(f"run must be a function, got {type(run).__name__}")
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
        out, failed = call_learner(title, run, *a)
        if failed is not None:
            return failed
        if not (isinstance(out, tuple) and len(out) == 3):
            return CheckResult(title, False, [f"return (hs, h_T, c_T), a tuple of three arrays; "
                                              f"got {type(out).__name__}"])
        refs = {"hs": hs_ref, "h_T": cache.h[-1], "c_T": cache.c[-1]}
        got = dict(zip(refs, (np.asarray(v, dtype=float) for v in out)))
        bad_shapes = [f"{k} must have shape {refs[k].shape}, got {got[k].shape}" for k in refs
                      if got[k].shape != refs[k].shape]
        if bad_shapes:
            return CheckResult(title, False, bad_shapes + ["x is (T, B, D): loop over the first axis, time"])
        if not np.allclose(got["hs"], hs_ref, atol=TOL, rtol=0):
            t = int(np.argmax(np.abs(got["hs"] - hs_ref).reshape(len(hs_ref), -1).max(axis=1) > TOL))
            return CheckResult(title, False, [f"{part}: hs[{t}] is {np.round(got['hs'][t], 4).tolist()}, expected "
                                              f"{np.round(hs_ref[t], 4).tolist()}. Hint: {hint}"])
        wrong = [k for k in ("h_T", "c_T") if not np.allclose(got[k], refs[k], atol=TOL, rtol=0)]
        if wrong:
            return CheckResult(title, False, [f"final state: {' and '.join(wrong)} wrong although every h_t is "
                                              "right. Hint: return the state after the last step (h_T is hs[-1])"])
    return CheckResult(title, True)


BACKWARD_KEYS = ("x_t", "h_prev", "c_prev", "W_ih", "W_hh", "b_ih", "b_hh")


def check_cell_backward(backward: Callable) -> CheckResult:
    """Check ``backward(dh_t, dc_t, cache, W_ih, W_hh) -> dict`` of gradients, as ``cell.lstm_cell_backward``.

    The dict has keys x_t, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh. A wrong
    answer is traced to its first wrong gradient along the backward pass:
    dc (the two paths into c_t), then each gate's block of dz (read from
    b_ih, whose gradient is dz itself), then the products with x_t, h_{t-1}
    and the weights, then the sum over a batch.
    """
    title = "LSTM cell backward"
    if not callable(backward):
        raise ValueError(f"backward must be a function, got {type(backward).__name__}")
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
        ref = lstm_cell_backward(*a)
        out, failed = call_learner(title, backward, *a)
        if failed is not None:
            return None, failed
        if not isinstance(out, dict) or set(out) != set(BACKWARD_KEYS):
            keys = sorted(out) if isinstance(out, dict) else type(out).__name__
            return None, CheckResult(title, False, [f"return a dict with keys {list(BACKWARD_KEYS)}, got {keys}"])
        got = {k: np.asarray(out[k], dtype=float) for k in BACKWARD_KEYS}
        bad = [f"{k} must have shape {ref[k].shape}, got {got[k].shape}" for k in BACKWARD_KEYS
               if got[k].shape != ref[k].shape]
        if bad:
            return None, CheckResult(title, False, bad + ["each gradient has the shape of what it is the gradient of"])
        return (got, ref), None

    def close(a, b) -> bool:
        return np.allclose(a, b, atol=TOL, rtol=0)

    def fail(name: str, got, ref, hint: str) -> CheckResult:
        return CheckResult(title, False, [f"{name} is {np.round(got, 4).tolist()}, expected "
                                          f"{np.round(ref, 4).tolist()}. Hint: {hint}"])

    # 1. dc_prev with dh_t = 0 (only the carousel), then with both paths into c_t.
    for dh_zero, hint in ((True, "dc_prev = dc * f_t: the cell state's gradient passes the forget gate, "
                                 "and only it"),
                          (False, "dc = dc_t + dh_t * o_t * (1 - tanh(c_t)^2): c_t also reaches the loss "
                                  "through h_t = o_t * tanh(c_t)")):
        res, failed = run(case((), dh_zero))
        if failed is not None:
            return failed
        got, ref = res
        if not close(got["c_prev"], ref["c_prev"]):
            return fail("dL/dc_prev", got["c_prev"], ref["c_prev"], hint)
    # 2. Each gate's block of dz = db_ih.
    a = case(())
    res, failed = run(a)
    if failed is not None:
        return failed
    got, ref = res
    gate_hints = {
        "i": "dz_i = dc * g_t * i_t * (1 - i_t): i_t multiplies g_t in c_t, and sigmoid' = i_t (1 - i_t)",
        "f": "dz_f = dc * c_{t-1} * f_t * (1 - f_t): f_t multiplies c_{t-1}, and sigmoid' = f_t (1 - f_t)",
        "g": "dz_g = dc * i_t * (1 - g_t^2): g_t is a tanh, whose derivative is 1 - g_t^2",
        "o": "dz_o = dh_t * tanh(c_t) * o_t * (1 - o_t): o_t only touches h_t, not c_t",
    }
    problems = []
    for k, (gate, hint) in enumerate(gate_hints.items()):
        block = slice(k * H, (k + 1) * H)
        if not close(got["b_ih"][block], ref["b_ih"][block]):
            problems.append(f"{gate} gate: its block of dL/db_ih (rows {k * H}:{(k + 1) * H}) is "
                            f"{np.round(got['b_ih'][block], 4).tolist()}, expected "
                            f"{np.round(ref['b_ih'][block], 4).tolist()}. Hint: {hint}")
    if problems:
        return CheckResult(title, False, problems)
    # 3. The rest, now that dz is right.
    rest = (("b_hh", "b_hh is added to the pre-activation just like b_ih: its gradient is dz too"),
            ("W_ih", "dW_ih = outer(dz, x_t), shape (4H, D)"),
            ("W_hh", "dW_hh = outer(dz, h_{t-1}), shape (4H, H)"),
            ("x_t", "dx_t = dz @ W_ih, shape (D,)"),
            ("h_prev", "dh_prev = dz @ W_hh, shape (H,)"))
    for name, hint in rest:
        if not close(got[name], ref[name]):
            problems.append(f"dL/d{name} is {np.round(got[name], 4).tolist()}, expected "
                            f"{np.round(ref[name], 4).tolist()}. Hint: {hint}")
    if problems:
        return CheckResult(title, False, problems)
    # 4. A batch: the weight gradients are sums over the examples.
    res, failed = run(case((4,)))
    if failed is not None:
        return failed
    got, ref = res
    wrong = [k for k in BACKWARD_KEYS if not close(got[k], ref[k])]
    if wrong:
        return CheckResult(title, False, [f"batch of 4: {', '.join(wrong)} wrong although one example is right. "
                                          "Hint: the weights and biases serve every example, so their gradients "
                                          "sum over the batch axis (x_t, h_prev, c_prev keep it)"])
    return CheckResult(title, True)


# ---------------------------------------------------------------- notebook 04

def check_forget_scaling(predict: Callable[[float, int], float]) -> CheckResult:
    """Check ``predict(forget_bias, k)``: the ratio ||dL/dc_{T-k}|| / ||dL/dc_T|| with a constant forget gate.

    Each prediction is compared with ``constant_forget_ratio`` measured by
    autograd; a wrong answer is matched against the usual slips.
    """
    title = "gradient through a constant forget gate"
    if not callable(predict):
        raise ValueError(f"predict must be a function, got {type(predict).__name__}")
    slips = [
        ("the gate is sigmoid(b), not b itself", lambda b, k: b ** k),
        ("the factors multiply along the chain: a power of f, not f times k", lambda b, k: sigmoid(b) * k),
        ("k steps back means exactly k factors of f, not k + 1", lambda b, k: sigmoid(b) ** (k + 1)),
        ("k steps back means exactly k factors of f, not k - 1", lambda b, k: sigmoid(b) ** (k - 1)),
    ]
    for b, k in ((2.0, 1), (0.0, 5), (1.0, 10), (2.0, 30), (-1.0, 3), (3.0, 0)):
        measured = constant_forget_ratio(b, k)
        out, failed = call_learner(title, predict, b, k)
        if failed is not None:
            return failed
        try:
            got = float(out)
        except (TypeError, ValueError):
            return CheckResult(title, False, [f"return one number, got {type(out).__name__}: {out!r}"])
        if math.isclose(got, measured, rel_tol=1e-9, abs_tol=1e-300):
            continue
        hints = [hint for hint, slip in slips if math.isclose(got, slip(b, k), rel_tol=1e-9)]
        hint = f" Hint: {hints[0]}." if hints else " Hint: follow dc_t/dc_(t-1) = f_t back k steps."
        return CheckResult(title, False, [f"forget bias {b:g}, k = {k}: you predict {got:.6g}, "
                                          f"autograd measures {measured:.6g}.{hint}"])
    return CheckResult(title, True)


# ---------------------------------------------------------------- notebook 05

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


# ---------------------------------------------------------------- notebook 06

def check_summary(fn: Callable) -> CheckResult:
    """Check ``fn(output, H) -> (B, 2H)`` against ``summary``.

    The probe's output holds, in every feature, the step it belongs to:
    forward half +t, backward half -t (t = 1..T), so the answer shows which
    step each half was taken from.
    """
    title = "summary of a bidirectional output"
    if not callable(fn):
        raise ValueError(f"fn must be a function, got {type(fn).__name__}")
    T, B, H = 4, 3, 2
    t = np.arange(1, T + 1, dtype=float)[:, None, None]
    output = np.concatenate([np.broadcast_to(t, (T, B, H)), np.broadcast_to(-t, (T, B, H))], axis=-1)
    got, failed = call_learner(title, fn, output, H)
    if failed is not None:
        return failed
    got = np.asarray(got, dtype=float)
    if got.shape != (B, 2 * H):
        return CheckResult(title, False, [f"return one vector per sequence, shape {(B, 2 * H)}, got {got.shape}"])
    want = summary(output, H)
    if np.array_equal(got, want):
        return CheckResult(title, True)
    problems = []
    for half, lo, sign, right in (("forward", 0, 1, T), ("backward", H, -1, 1)):
        part = got[:, lo:lo + H]
        if np.array_equal(part, want[:, lo:lo + H]):
            continue
        if np.all(part == part.flat[0]) and part.flat[0] in sign * t.ravel():
            step = int(sign * part.flat[0])
            problems.append(f"{half} half: taken at step {step}, expected step {right}. Hint: the {half} direction "
                            f"has read the whole sequence at step {right}" +
                            (" (output[-1]'s backward half has read only x_T)" if half == "backward"
                             and step == T else ""))
        elif np.all(part == part.flat[0]) and -part.flat[0] in sign * t.ravel():
            problems.append(f"{half} half: it holds the other direction's numbers; output[..., :H] is forward, "
                            "output[..., H:] backward")
        else:
            problems.append(f"{half} half: expected the output at step {right}, got {np.round(part[0], 3).tolist()}")
    return CheckResult(title, False, problems)


# ---------------------------------------------------------------- notebook 07

def check_windows(fn: Callable) -> CheckResult:
    """Check the learner's ``fn(series, window) -> (X, y)`` against ``make_windows``.

    The probe series is 0, 1, 2, ... so every value names its own index and
    a wrong window says exactly which steps it took.
    """
    title = "windowing"
    if not callable(fn):
        raise ValueError(f"fn must be a function, got {type(fn).__name__}")
    series, window = np.arange(10.0), 3
    X_ref, y_ref = make_windows(series, window)
    out, failed = call_learner(title, fn, series, window)
    if failed is not None:
        return failed
    if not (isinstance(out, tuple) and len(out) == 2):
        return CheckResult(title, False, [f"return (X, y), a tuple of two arrays; got {type(out).__name__}"])
    X, y = (np.asarray(v, dtype=float) for v in out)
    if X.shape != X_ref.shape or y.shape != y_ref.shape:
        hint = " (X needs a last axis of 1 feature: X[..., None])" if X.shape == X_ref.shape[:2] else ""
        return CheckResult(title, False, [f"shapes: X must be {X_ref.shape} and y {y_ref.shape} for 10 values and "
                                          f"window 3, got {X.shape} and {y.shape}{hint}"])
    problems = []
    if np.any(X[:, :, 0].max(axis=1) >= y[:, 0]):
        k = int(np.argmax(X[:, :, 0].max(axis=1) >= y[:, 0]))
        problems.append(f"look-ahead: window {k} holds steps {X[k, :, 0].astype(int).tolist()} but its target is "
                        f"step {int(y[k, 0])}; the input must end just before the target")
    elif not np.array_equal(y, y_ref):
        problems.append(f"targets: y should be steps {y_ref[:, 0].astype(int).tolist()} (the value right after "
                        f"each window), got {y[:, 0].tolist()}")
    if not problems and not np.array_equal(X, X_ref):
        problems.append(f"windows: X[k] should be steps k .. k+2, e.g. X[0] = [0, 1, 2], got {X[0, :, 0].tolist()}")
    return CheckResult(title, not problems, problems)
