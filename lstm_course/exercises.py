"""Checkers for the exercises: each says "pass" or which part is wrong.

A checker feeds the learner's function inputs in which every term but one
is zero (or pinned by a bias), so a wrong answer points at one gate.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .cell import CellParams, lstm_cell_backward, lstm_cell_forward
from .numpy_lstm import sequence_forward

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


def _copy(a):
    """A copy the learner's function may modify without touching the checker's own inputs."""
    if isinstance(a, np.ndarray) or hasattr(a, "clone"):  # NumPy arrays and torch tensors
        return a.copy() if isinstance(a, np.ndarray) else a.clone()
    if isinstance(a, tuple):
        items = [_copy(v) for v in a]
        return type(a)(*items) if hasattr(a, "_fields") else tuple(items)
    return a  # numbers and strings cannot be modified


def call_learner(title: str, fn: Callable, *args, hints: dict[type, str] | None = None):
    """Call the learner's ``fn`` on copies of ``args``: ``(output, None)``, or ``(None, CheckResult)`` if it raised.

    ``raise NotImplementedError`` (the exercise's stub) reads "not written
    yet"; any other exception is reported with its message, plus the hint
    that ``hints`` gives for its type, if any.
    """
    try:
        return fn(*(_copy(a) for a in args)), None
    except NotImplementedError:
        return None, CheckResult(title, False, ["not written yet: replace `raise NotImplementedError` with your code"])
    except Exception as exc:
        hint = next((h for kind, h in (hints or {}).items() if isinstance(exc, kind)), None)
        return None, CheckResult(title, False, [f"your function raised {type(exc).__name__}: {exc}"
                                                + (f". Hint: {hint}" if hint else "")])


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
