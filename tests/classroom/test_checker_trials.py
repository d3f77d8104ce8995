"""Every checker tried on a table of wrong answers a learner could write, and on right ones.

Each trial is a small function with one (or two) plausible mistakes, the parts its verdict must name and
the parts it must not blame (for the cell step: no gate, bias or term that is right). Right answers,
float32 ones included, must pass. ``python tests/classroom/test_checker_trials.py`` prints the table
"wrong answer -> verdict" for every checker.
"""

from __future__ import annotations

import itertools
import random
import sys
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pytest
import torch

from lstm_course.classroom import checkers
from lstm_course.classroom.checkers import (
    check_cell_backward,
    check_cell_step,
    check_forget_scaling,
    check_last_step,
    check_sequence_forward,
    check_summary,
    check_windows,
)
from lstm_course.lstm.activations import sigmoid
from lstm_course.lstm.cell import lstm_cell_backward, lstm_cell_forward
from lstm_course.topics import bidirectional, lstm_api, sine


@dataclass
class Trial:
    name: str
    fn: Callable
    names: tuple[str, ...]          # the verdict's text contains each of these
    blames_not: tuple[str, ...] = ()  # and none of these


def gates_blamed_only(*parts: str) -> tuple[str, ...]:
    """The cell-step parts a verdict that names ``parts`` must not name."""
    every = ("input gate i_t", "forget gate f_t", "candidate g_t", "output gate o_t", "hidden state h_t",
             "cell state c_t", "bias b_ih", "bias b_hh", "input weights W_ih", "recurrent weights W_hh",
             "return order", "gate order", "float32")
    return tuple(p for p in every if p not in parts)


# ---------------------------------------------------------------- 01: the cell step

def cell(order="ifgo", acts=None, b_ih=True, b_hh=True, W_hh=True, keep=True, write_i=True, squash=False,
         h_tanh=True, o_gate=True, swap_return=False, dtype=np.float64):
    """A cell step as a learner writes it, with the mistakes the arguments switch on."""
    acts = {"i": sigmoid, "f": sigmoid, "g": np.tanh, "o": sigmoid, **(acts or {})}

    def step(x_t, h_prev, c_prev, W_ih, W_hh_, b_ih_, b_hh_):
        z = W_ih @ x_t + (W_hh_ @ h_prev if W_hh else 0) + (b_ih_ if b_ih else 0) + (b_hh_ if b_hh else 0)
        blocks = dict(zip(order, np.split(z.astype(dtype), 4)))
        i_t, f_t, g_t, o_t = (acts[k](blocks[k]) for k in "ifgo")
        c_t = (f_t * c_prev if keep else 0) + (i_t * g_t if write_i else g_t)
        if squash:
            c_t = np.tanh(c_t)
        h_t = (o_t if o_gate else 1) * (np.tanh(c_t) if h_tanh else c_t)
        return (c_t, h_t) if swap_return else (h_t, c_t)
    return step


def demo_f_and_i_swapped(x_t, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):   # notebook 01's demo
    z_f, z_i, z_g, z_o = np.split(W_ih @ x_t + b_ih + W_hh @ h_prev + b_hh, 4)
    c_t = sigmoid(z_f) * c_prev + sigmoid(z_i) * np.tanh(z_g)
    return sigmoid(z_o) * np.tanh(c_t), c_t


def x_times_W(x_t, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    z_i, z_f, z_g, z_o = np.split(x_t @ W_ih + h_prev @ W_hh + b_ih + b_hh, 4)   # (D,) @ (4H, D) does not fit
    c_t = sigmoid(z_f) * c_prev + sigmoid(z_i) * np.tanh(z_g)
    return sigmoid(z_o) * np.tanh(c_t), c_t


def float32_in_float64(*args):
    return tuple(np.float64(v) for v in cell(dtype=np.float32)(*args))


def arguments_h_c_swapped(x_t, c_prev, h_prev, W_ih, W_hh, b_ih, b_hh):   # a signature in another order
    return cell()(x_t, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh)


def candidate_doubled(*args):   # nothing a checker knows: traced part by part
    x_t, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh = args
    z_i, z_f, z_g, z_o = np.split(W_ih @ x_t + b_ih + W_hh @ h_prev + b_hh, 4)
    c_t = sigmoid(z_f) * c_prev + sigmoid(z_i) * 2 * np.tanh(z_g)
    return sigmoid(z_o) * np.tanh(c_t), c_t


CELL_TRIALS = [
    Trial("f and i swapped (notebook 01's demo)", demo_f_and_i_swapped, ("gate order", "input gate i_t",
          "forget gate f_t"), gates_blamed_only("gate order", "input gate i_t", "forget gate f_t")),
    Trial("g and o swapped (cs231n's order i, f, o, g)", cell(order="ifog"), ("candidate g_t", "output gate o_t"),
          gates_blamed_only("gate order", "candidate g_t", "output gate o_t")),
    Trial("TF1 order i, j, f, o", cell(order="igfo"), ("forget gate f_t", "candidate g_t"),
          gates_blamed_only("gate order", "forget gate f_t", "candidate g_t")),
    Trial("both biases left out", cell(b_ih=False, b_hh=False), ("bias b_ih", "bias b_hh"),
          gates_blamed_only("bias b_ih", "bias b_hh")),
    Trial("b_hh left out", cell(b_hh=False), ("bias b_hh",), gates_blamed_only("bias b_hh")),
    Trial("W_hh @ h_prev left out", cell(W_hh=False), ("recurrent weights W_hh",),
          gates_blamed_only("recurrent weights W_hh")),
    Trial("returns (c_t, h_t)", cell(swap_return=True), ("return order",), gates_blamed_only("return order")),
    Trial("c_t = tanh(f c + i g)", cell(squash=True), ("cell state c_t", "squash"),
          gates_blamed_only("cell state c_t")),
    Trial("candidate with sigmoid", cell(acts={"g": sigmoid}), ("candidate g_t", "sigmoid"),
          gates_blamed_only("candidate g_t")),
    Trial("forget gate with tanh", cell(acts={"f": np.tanh}), ("forget gate f_t", "tanh"),
          gates_blamed_only("forget gate f_t")),
    Trial("input gate with no activation", cell(acts={"i": lambda z: z}), ("input gate i_t", "no activation"),
          gates_blamed_only("input gate i_t")),
    Trial("h_t = o_t * c_t", cell(h_tanh=False), ("hidden state h_t",), gates_blamed_only("hidden state h_t")),
    Trial("h_t = tanh(c_t), no output gate", cell(o_gate=False), ("output gate o_t",),
          gates_blamed_only("output gate o_t")),
    Trial("c_t = i_t * g_t, old memory dropped", cell(keep=False), ("forget gate f_t",),
          gates_blamed_only("forget gate f_t")),
    Trial("c_t = f_t * c_prev + g_t", cell(write_i=False), ("input gate i_t",), gates_blamed_only("input gate i_t")),
    Trial("f, i swapped and b_hh left out", cell(order="figo", b_hh=False), ("forget gate f_t", "input gate i_t",
          "bias b_hh"), gates_blamed_only("gate order", "forget gate f_t", "input gate i_t", "bias b_hh")),
    Trial("h_prev and c_prev arguments swapped", arguments_h_c_swapped, ("h_prev", "c_prev"),
          gates_blamed_only()),
    Trial("x_t @ W_ih (shapes do not fit)", x_times_W, ("W_ih (8, 3)", "x_t is (3,)"), ("matmul",)),
    Trial("returns (1, H) arrays", lambda *a: tuple(v[None] for v in cell()(*a)), ("shape (2,)",), ()),
    Trial("computed in float32, returned as float64", float32_in_float64, ("float32",),
          gates_blamed_only("float32")),
    Trial("candidate scaled by 2 (no known slip)", candidate_doubled, ("candidate g_t",),
          ("forget gate f_t", "output gate o_t", "bias", "weights")),
]
CELL_RIGHT = [lambda *a: lstm_cell_forward(*a)[:2], cell(), cell(order="ifgo", acts={"g": np.tanh}),
              lambda *a: tuple(np.float32(v) for v in cell(dtype=np.float32)(*(np.float32(v) for v in a))),
              lambda *a: tuple(torch.tensor(v) for v in lstm_cell_forward(*a)[:2])]


# ---------------------------------------------------------------- 02: one layer over a sequence

def layer(reverse=False, flip_back=False, carry_h=True, carry_c=True, ret="hs,h,c", use_b_hh=True):
    def run(x, h0, c0, W_ih, W_hh, b_ih, b_hh):
        h, c, hs, cs = h0, c0, [], []
        for x_t in (x[::-1] if reverse else x):
            h, c, _ = lstm_cell_forward(x_t, h if carry_h else h0, c if carry_c else c0, W_ih, W_hh, b_ih,
                                        b_hh if use_b_hh else 0 * b_hh)
            hs.append(h)
            cs.append(c)
        hs, cs = np.stack(hs[::-1] if flip_back else hs), np.stack(cs)
        return {"hs,h,c": (hs, h, c), "hs,c,h": (hs, c, h), "cs,h,c": (cs, h, c), "hs,h0,c0": (hs, h0, c0),
                "hs,first": (hs, hs[0], cs[0]), "hs": hs}[ret]
    return run


def batch_loop(x, h0, c0, W_ih, W_hh, b_ih, b_hh):   # loops over the batch axis
    return layer()(np.swapaxes(x, 0, 1), h0.T, c0.T, W_ih, W_hh, b_ih, b_hh)


def W_hh_untransposed(x, h0, c0, W_ih, W_hh, b_ih, b_hh):
    h, c, hs = h0, c0, []
    for x_t in x:
        z = x_t @ W_ih.T + h @ W_hh + b_ih + b_hh          # (B, H) @ (4H, H) does not fit
        i, f, g, o = np.split(z, 4, axis=-1)
        c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
        h = sigmoid(o) * np.tanh(c)
        hs.append(h)
    return np.stack(hs), h, c


SEQUENCE_TRIALS = [
    Trial("loop runs backwards in time", layer(reverse=True), ("time order",), ("cell state carried",)),
    Trial("backwards in time, hs flipped back", layer(reverse=True, flip_back=True), ("time order",),
          ("cell state carried",)),
    Trial("every step starts from c0", layer(carry_c=False), ("cell state carried",), ("hidden state carried",)),
    Trial("every step reads h0", layer(carry_h=False), ("hidden state carried",), ("cell state carried",)),
    Trial("returns (hs, c_T, h_T)", layer(ret="hs,c,h"), ("final state", "(hs, h_T, c_T)"), ("carried",)),
    Trial("hs holds the cell states", layer(ret="cs,h,c"), ("hs holds the cell states",), ("carried",)),
    Trial("returns the state after the first step", layer(ret="hs,first"), ("final state", "first step"),
          ("carried",)),
    Trial("returns (h0, c0) as the final state", layer(ret="hs,h0,c0"), ("final state", "initial state"),
          ("carried",)),
    Trial("b_hh left out", layer(use_b_hh=False), ("bias b_hh",), ("carried",)),
    Trial("returns hs only", layer(ret="hs"), ("(hs, h_T, c_T)",), ()),
    Trial("loops over the batch axis", batch_loop, ("(T, B, D)", "(B, H)"), ("matmul",)),
    Trial("h @ W_hh without .T", W_hh_untransposed, ("W_hh (8, 2)", "h @ W_hh.T"), ("matmul",)),
]
SEQUENCE_RIGHT = [layer(), lambda *a: tuple(np.float32(v) for v in layer()(*a))]


# ---------------------------------------------------------------- 03: the cell backward

def backward_with(change):
    """The right backward, then ``change(grads, dh_t, dc_t, cache, W_ih, W_hh, H)`` makes one slip."""
    def backward(dh_t, dc_t, cache, W_ih, W_hh):
        grads = lstm_cell_backward(dh_t, dc_t, cache, W_ih, W_hh)
        change(grads, dh_t, dc_t, cache, W_ih, W_hh, cache.h_t.shape[-1])
        return grads
    return backward


def learner_backward(dz_of=None, dc_prev_of=None, dx_W=None, batch_mean=False):
    """A learner's backward, written as notebook 03's solution, with slips switched on by the arguments."""
    def backward(dh_t, dc_t, cache, W_ih, W_hh):
        i, f, g, o = cache.i_t, cache.f_t, cache.g_t, cache.o_t
        tanh_c = np.tanh(cache.c_t)
        dc = dc_t + dh_t * o * (1 - tanh_c ** 2)
        blocks = {"i": dc * g * i * (1 - i), "f": dc * cache.c_prev * f * (1 - f), "g": dc * i * (1 - g ** 2),
                  "o": dh_t * tanh_c * o * (1 - o)}
        blocks.update((dz_of or (lambda **kw: {}))(dc=dc, dh=dh_t, i=i, f=f, g=g, o=o, tanh_c=tanh_c, cache=cache))
        dz = np.concatenate([blocks[k] for k in "ifgo"], axis=-1)
        rows = dz.reshape(-1, dz.shape[-1])
        xs, hs = cache.x_t.reshape(len(rows), -1), cache.h_prev.reshape(len(rows), -1)
        n = len(rows) if batch_mean else 1
        return {"x_t": dz @ (dx_W or (lambda Wi, Wh: Wi))(W_ih, W_hh), "h_prev": dz @ W_hh,
                "c_prev": dc * f if dc_prev_of is None else dc_prev_of(dc, f),
                "W_ih": rows.T @ xs / n, "W_hh": rows.T @ hs / n, "b_ih": rows.sum(0) / n, "b_hh": rows.sum(0) / n}
    return backward


BACKWARD_TRIALS = [
    Trial("dc_prev = dc (forget gate skipped)", learner_backward(dc_prev_of=lambda dc, f: dc), ("dL/dc_prev",
          "f_t"), ("i gate", "g gate", "o gate")),
    Trial("the path through h_t forgotten", backward_with(lambda g, dh, dc, cache, Wi, Wh, H: g.update(
        lstm_cell_backward(0 * dh, dc, cache, Wi, Wh))), ("dL/dc_prev", "through h_t"), ("gate",)),
    Trial("no sigmoid derivative on f (notebook 03's demo)", learner_backward(
        dz_of=lambda dc, f, cache, **kw: {"f": dc * cache.c_prev}), ("f gate",), ("i gate", "g gate", "o gate")),
    Trial("no sigmoid derivative on i", learner_backward(dz_of=lambda dc, g, **kw: {"i": dc * g}), ("i gate",),
          ("f gate", "g gate", "o gate")),
    Trial("candidate with the sigmoid's derivative", learner_backward(
        dz_of=lambda dc, i, g, **kw: {"g": dc * i * g * (1 - g)}), ("g gate",), ("i gate", "f gate", "o gate")),
    Trial("output gate fed dc instead of dh", learner_backward(
        dz_of=lambda dc, o, tanh_c, **kw: {"o": dc * tanh_c * o * (1 - o)}), ("o gate",),
          ("i gate", "f gate", "g gate")),
    Trial("db_hh left at zero", backward_with(lambda g, *a: g.update(b_hh=0 * g["b_hh"])), ("dL/db_hh",),
          ("gate", "dL/dW")),
    Trial("dW_ih doubled", backward_with(lambda g, *a: g.update(W_ih=2 * g["W_ih"])), ("dL/dW_ih",), ("gate",)),
    Trial("dx_t through W_hh", learner_backward(dx_W=lambda Wi, Wh: Wh), ("x_t", "shape"), ("gate",)),
    Trial("dW_ih as outer(x_t, dz)", backward_with(lambda g, *a: g.update(W_ih=g["W_ih"].T)),
          ("W_ih must have shape (8, 3)", "shape of what it is the gradient of"), ("gate",)),
    Trial("weight gradients averaged over the batch", learner_backward(batch_mean=True), ("batch of 4",),
          ("gate",)),
    Trial("dz stacked (f, i, g, o)", learner_backward(dz_of=lambda dc, i, f, g, cache, **kw: {
        "i": dc * cache.c_prev * f * (1 - f), "f": dc * g * i * (1 - i)}), ("dz", "stacked (f, i, g, o)"),
          ("g gate", "o gate", "i gate", "f gate")),
    Trial("dh_prev off by one", backward_with(lambda g, *a: g.update(h_prev=g["h_prev"] + 1)), ("dL/dh_prev",),
          ("gate",)),
]
BACKWARD_RIGHT = [lstm_cell_backward, learner_backward(),
                  lambda *a: {k: np.float32(v) for k, v in lstm_cell_backward(*a).items()}]


# ---------------------------------------------------------------- 04: the gradient through a constant forget gate

FORGET_TRIALS = [
    Trial("b ** k", lambda b, k: b ** k, ("sigmoid(b), not b itself",), ()),
    Trial("sigmoid(b) * k", lambda b, k: sigmoid(b) * k, ("a power of f",), ()),
    Trial("sigmoid(b) ** (k + 1)", lambda b, k: sigmoid(b) ** (k + 1), ("not k + 1",), ()),
    Trial("sigmoid(b) ** (k - 1)", lambda b, k: sigmoid(b) ** (k - 1), ("not k - 1",), ()),
    Trial("(1 - sigmoid(b)) ** k", lambda b, k: (1 - sigmoid(b)) ** k, ("fraction kept",), ()),
    Trial("1 / (1 + exp(b)), sign lost", lambda b, k: (1 / (1 + np.exp(b))) ** k, ("minus sign",), ()),
    Trial("fraction kept k + 1 times", lambda b, k: sigmoid(b) ** (k + 1), ("not k + 1",), ("k - 1",)),
    Trial("tanh(b) ** k", lambda b, k: np.tanh(b) ** k, ("not a tanh",), ()),
    Trial("exp(-k sigmoid(b))", lambda b, k: np.exp(-k * sigmoid(b)), ("not exp(-k f)",), ()),
    Trial("sigmoid(b), no k", lambda b, k: sigmoid(b), ("depends on k",), ()),
    Trial("rounded to 4 digits", lambda b, k: round(sigmoid(b) ** k, 4), ("rounded", "relative gap 3.3e-06"),
          ("float32",)),
    Trial("computed in float32", lambda b, k: float(np.float32(sigmoid(b)) ** np.float32(k)),
          ("float32 precision", "0.880797"), ("rounded",)),
    Trial("e approximated as 2.718", lambda b, k: (1 / (1 + 2.718 ** -b)) ** k, ("relative gap 2.5e-05",
          "0.880775303892"), ("float32",)),
    Trial("0.5 ** k", lambda b, k: 0.5 ** k, ("follow dc_t/dc_(t-1)",), ()),
    Trial("returns an array of one entry", lambda b, k: np.array([sigmoid(b) ** k]), ("one number",), ()),
]
FORGET_RIGHT = [lambda b, k: sigmoid(b) ** k, lambda b, k: (1 / (1 + np.exp(-b))) ** k,
                lambda b, k: np.float32(sigmoid(b) ** k)]


# ---------------------------------------------------------------- 05: the last real step

def rows(n):
    return torch.arange(len(n))


LAST_STEP_TRIALS = [
    Trial("output[:, -1]", lambda o, n: o[:, -1], ("padding",), ("axes",)),
    Trial("axes swapped: output[lengths - 1, b]", lambda o, n: o[n - 1, rows(n)], ("axes swapped",),
          ("indexed past the end", "off by one")),
    Trial("output[-1]", lambda o, n: o[-1], ("last *sequence*",), ()),
    Trial("lengths without - 1", lambda o, n: o[rows(n), n], ("indexed past the end", "lengths[b] - 1"), ()),
    Trial("lengths clamped, no - 1", lambda o, n: o[rows(n), n.clamp(max=o.shape[1] - 1)], ("off by one",), ()),
    Trial("output[:, 0]", lambda o, n: o[:, 0], ("step 0",), ()),
    Trial("mean over time", lambda o, n: o.mean(dim=1), ("averaged",), ()),
    Trial("rows from lengths - 1, last step", lambda o, n: o[n - 1, -1], ("sequence b",), ()),
    Trial("output[:, n - 1] (every row at every length)", lambda o, n: o[:, n - 1], ("must have shape (5, 3)",), ()),
    Trial("only feature 0", lambda o, n: o[rows(n), n - 1, 0], ("must have shape (5, 3)",), ()),
    Trial("one row wrong", lambda o, n: o[rows(n), torch.tensor([4, 1, 0, 0, 2])], ("row 2 (length 4): step 0",),
          ("row 0", "row 1")),
    Trial("the sum of the real steps", lambda o, n: torch.stack([o[b, :m].sum(0) for b, m in enumerate(n)]),
          ("values the output does not have",), ()),
]
LAST_STEP_RIGHT = [lstm_api.last_step, lambda o, n: o[rows(n), n - 1],
                   lambda o, n: o.numpy()[np.arange(len(n)), n.numpy() - 1],
                   lambda o, n: torch.stack([o[b, m - 1] for b, m in enumerate(n)])]


# ---------------------------------------------------------------- 06: the summary of a bidirectional output

def halves(fwd, bwd):
    return lambda o, H: np.concatenate([fwd(o, H), bwd(o, H)], axis=-1)


SUMMARY_TRIALS = [
    Trial("output[-1]", lambda o, H: o[-1], ("backward half: taken at step 5",), ("forward half",)),
    Trial("output[0]", lambda o, H: o[0], ("forward half: taken at step 1",), ("backward half",)),
    Trial("max over time", lambda o, H: o.max(axis=0), ("forward half: the max over time",
          "backward half: the max over time"), ("taken at step",)),
    Trial("min over time", lambda o, H: o.min(axis=0), ("the min over time",), ("taken at step",)),
    Trial("mean over time", lambda o, H: o.mean(axis=0), ("the mean over time",), ("taken at step",)),
    Trial("sum over time", lambda o, H: o.sum(axis=0), ("the sum over time",), ("taken at step",)),
    Trial("halves in the wrong order", halves(lambda o, H: o[0, :, H:], lambda o, H: o[-1, :, :H]),
          ("forward half: the backward direction's numbers", "backward half: the forward direction's numbers"), ()),
    Trial("backward from step 2", halves(lambda o, H: o[-1, :, :H], lambda o, H: o[1, :, H:]),
          ("backward half: taken at step 2",), ("forward half",)),
    Trial("forward from the last-but-one step", halves(lambda o, H: o[-2, :, :H], lambda o, H: o[0, :, H:]),
          ("forward half: taken at step 4",), ("backward half",)),
    Trial("forward half only", lambda o, H: o[-1, :, :H], ("shape (3, 4)",), ()),
    Trial("output[:, -1] (the last sequence)", lambda o, H: o[:, -1], ("shape (3, 4)", "time first"), ()),
    Trial("backward half zeroed", halves(lambda o, H: o[-1, :, :H], lambda o, H: 0 * o[0, :, H:]),
          ("backward half: expected the output at step 1",), ("forward half",)),
]
SUMMARY_RIGHT = [bidirectional.summary, halves(lambda o, H: o[-1, :, :H], lambda o, H: o[0, :, H:]),
                 lambda o, H: np.float32(bidirectional.summary(o, H))]


# ---------------------------------------------------------------- 07: windowing

def windows(start=0, target_shift=0, features=True, flip=False, y_axis=True, size=0):
    def fn(series, window):
        series = np.asarray(series, dtype=float)
        w = window + size
        X = np.lib.stride_tricks.sliding_window_view(series[start:len(series) - 1 + start], w)[:len(series) - w]
        y = series[w + target_shift:len(series) + target_shift]
        X = X[:, ::-1] if flip else X
        return (X[..., None] if features else X), (y[:, None] if y_axis else y)
    return fn


WINDOW_TRIALS = [
    Trial("window shifted one step too far", windows(start=1), ("look-ahead",), ("targets",)),
    Trial("target is the window's last value", windows(target_shift=-1), ("look-ahead",), ()),
    Trial("target two steps ahead", lambda s, w: (sine.make_windows(s, w)[0], sine.make_windows(s, w)[1] + 1),
          ("targets: y should be steps [3, 4",), ("look-ahead",)),
    Trial("no feature axis", windows(features=False), ("X needs a last axis of 1 feature",), ()),
    Trial("y without its last axis", windows(y_axis=False), ("y must have shape (7, 1)",), ()),
    Trial("windows one value too long", windows(size=1), ("shapes are for 10 values and window 3",), ()),
    Trial("each window reversed", windows(flip=True), ("windows: X[k] should be steps k .. k+2",), ("look-ahead",)),
    Trial("windows in reverse order", lambda s, w: (sine.make_windows(s, w)[0][::-1].copy(),
                                                    sine.make_windows(s, w)[1]), ("look-ahead",), ()),
    Trial("windows one step early", lambda s, w: (sine.make_windows(s, w)[0] - 1, sine.make_windows(s, w)[1]),
          ("got [-1, 0, 1]",), ("look-ahead", "targets")),
    Trial("normalised windows", lambda s, w: (sine.make_windows(s, w)[0] / 10, sine.make_windows(s, w)[1]),
          ("windows: X[k] should be steps k .. k+2",), ("look-ahead",)),
    Trial("returns (y, X)", lambda s, w: sine.make_windows(s, w)[::-1], ("must have shape",), ()),
]
WINDOW_RIGHT = [sine.make_windows, windows(),
                lambda s, w: tuple(np.float32(v) for v in sine.make_windows(s, w))]


TABLES = {check_cell_step: (CELL_TRIALS, CELL_RIGHT), check_sequence_forward: (SEQUENCE_TRIALS, SEQUENCE_RIGHT),
          check_cell_backward: (BACKWARD_TRIALS, BACKWARD_RIGHT), check_forget_scaling: (FORGET_TRIALS, FORGET_RIGHT),
          check_last_step: (LAST_STEP_TRIALS, LAST_STEP_RIGHT), check_summary: (SUMMARY_TRIALS, SUMMARY_RIGHT),
          check_windows: (WINDOW_TRIALS, WINDOW_RIGHT)}
WRONG = [(check, trial) for check, (trials, _) in TABLES.items() for trial in trials]
RIGHT = [(check, k, fn) for check, (_, fns) in TABLES.items() for k, fn in enumerate(fns)]


@pytest.mark.parametrize("check", TABLES, ids=lambda c: c.__name__)
def test_every_checker_has_a_table_of_at_least_ten_wrong_answers(check):
    assert len(TABLES[check][0]) >= 10


@pytest.mark.parametrize("check, trial", WRONG, ids=lambda v: getattr(v, "__name__", getattr(v, "name", "")))
def test_a_wrong_answer_gets_a_verdict_naming_its_mistake_and_nothing_right(check, trial):
    verdict = check(trial.fn)
    text = str(verdict)
    assert not verdict.passed, trial.name
    for part in trial.names:
        assert part in text, (trial.name, part, text)
    for part in trial.blames_not:
        assert part not in text, (trial.name, part, text)


@pytest.mark.parametrize("check, k, fn", RIGHT, ids=lambda v: getattr(v, "__name__", str(v)))
def test_right_answers_pass_float32_ones_included(check, k, fn):
    verdict = check(fn)
    assert verdict.passed, str(verdict)


SLIPS = checkers._cell_slips()


@pytest.mark.parametrize("slip", SLIPS, ids=lambda s: f"{s.key}={s.value}")
def test_every_known_cell_slip_is_named_alone(slip):
    verdict = check_cell_step(lambda *args: checkers._slipped_step(args, (slip,)))
    assert verdict.problems == [f"{slip.part}: {slip.text}"]


def test_pairs_of_cell_slips_are_named_together():
    """Two slips at once: the verdict names them both, or slips that give exactly the same numbers on every input."""
    by_text = {f"{s.part}: {s.text}": s for s in SLIPS}
    pairs = [(a, b) for a, b in itertools.combinations(SLIPS, 2) if a.key != b.key]
    named_as_made = 0
    for a, b in random.Random(0).sample(pairs, 80):
        verdict = check_cell_step(lambda *args, a=a, b=b: checkers._slipped_step(args, (a, b)))
        named = tuple(by_text[p] for p in verdict.problems)
        named_as_made += set(named) == {a, b}
        rng = np.random.default_rng(7)
        for _ in range(5):   # fresh inputs: the named slips compute what the made ones compute
            args = checkers._cell_args(rng)
            assert np.allclose(checkers._slipped_step(args, named), checkers._slipped_step(args, (a, b))), (a, b)
    assert named_as_made >= 70


def print_tables(out=sys.stdout) -> None:
    """Print "wrong answer -> verdict" for every checker, as the closing note quotes it."""
    for check, (trials, _) in TABLES.items():
        print(f"\n## {check.__name__} ({len(trials)} wrong answers)\n", file=out)
        for trial in trials:
            verdict = check(trial.fn)
            print(f"- {trial.name}\n" + "\n".join(f"    {p}" for p in verdict.problems), file=out)


if __name__ == "__main__":
    print_tables()
