"""Property tests: every public function of the NumPy LSTM, its interop, the memory and story topics, the cell
diagram and notebook 01's panels answers bad input with a clear TypeError or ValueError that names the argument,
raised by lstm_course itself (never from inside NumPy, torch or matplotlib, never a silent result).

Each test builds a valid call, replaces one argument (drawn by hypothesis) with a bad value (NaN, infinity,
complex numbers, text, None, ragged lists, wrong shapes, wrong types, huge sizes, bad seeds) and checks the error.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from bad_input import assert_clear
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure

from lstm_course import interop
from lstm_course.classroom import diagram, panels
from lstm_course.lstm import activations, cell, gradcheck, sequence
from lstm_course.lstm.numpy_lstm import NumpyLSTM
from lstm_course.topics import memory, story

FAST = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ----------------------------------------------------------------- bad values

def bad_arrays(good: np.ndarray) -> st.SearchStrategy:
    """Ways to spoil an array argument: non-finite or complex entries, text, None, ragged lists, wrong shapes."""
    def with_entry(value):
        a = good.astype(type(value) if isinstance(value, complex) else good.dtype, copy=True)
        a.flat[0] = value
        return a
    return st.one_of(
        st.sampled_from([float("nan"), float("inf"), -float("inf")]).map(with_entry),
        st.complex_numbers(min_magnitude=1e-3, max_magnitude=10, allow_nan=False).filter(lambda z: z.imag != 0)
          .map(lambda z: good + z),
        st.just(np.full(good.shape, "a")),
        st.just(None),
        st.just([[1.0, 2.0], [3.0]]),
        st.just(np.zeros(good.shape + (2,))),            # one axis too many
        st.just(np.zeros((good.size + 3,))),             # wrong length
    )


def spoiled(v) -> bool:
    """True unless ``v`` is a finite float array (of any shape: for arguments whose shape is free, that is valid)."""
    return not (isinstance(v, np.ndarray) and v.dtype.kind == "f" and bool(np.isfinite(v).all()))


BAD_KINDS = st.sampled_from([float("nan"), float("inf"), -float("inf"), None, "0.5", [0.5], 1 + 2j, True])
BAD_NUMBERS = st.one_of(     # for arguments with a bounded range
    BAD_KINDS,
    st.floats(min_value=1e6, max_value=1e300),
    st.floats(max_value=-1e6, min_value=-1e300),
)
BAD_SIZES = st.one_of(st.sampled_from([0, -1, 2.0, "3", None, True, 10**9]), st.integers(max_value=0))
BAD_SEEDS = st.one_of(st.sampled_from([-1, 2**32, 1.5, "0", [0]]), st.integers(max_value=-1),
                      st.integers(min_value=2**32, max_value=2**70))


# ----------------------------------------------------------------- the cell

D, H, B = 3, 2, 4
RNG = np.random.default_rng(0)
PARAMS = cell.init_cell_params(D, H, rng=0)
CELL_ARGS = dict(x_t=RNG.normal(size=(B, D)), h_prev=RNG.normal(size=(B, H)), c_prev=RNG.normal(size=(B, H)),
                 **PARAMS._asdict())
_, _, CACHE = cell.lstm_cell_forward(**CELL_ARGS)


@FAST
@given(st.data())
def test_lstm_cell_forward_bad_arrays(data):
    name = data.draw(st.sampled_from(sorted(CELL_ARGS)))
    bad = data.draw(bad_arrays(CELL_ARGS[name]).filter(lambda v: v is not None or not name.startswith("b_")))
    args = dict(CELL_ARGS, **{name: bad})      # (b_ih=None, b_hh=None mean "no bias", which is fine)
    assert_clear(lambda: cell.lstm_cell_forward(**args), name)


@FAST
@given(st.data())
def test_cell_from_gates_bad_arrays(data):
    good = dict(i_t=np.full(H, 0.5), f_t=np.full(H, 0.5), g_t=np.zeros(H), o_t=np.ones(H), c_prev=np.ones(H))
    name = data.draw(st.sampled_from(sorted(good)))
    bad = data.draw(bad_arrays(good[name]))
    args = dict(good, **{name: bad})
    assert_clear(lambda: cell.cell_from_gates(**args), name, "the shape of i_t")   # shapes are compared with i_t's


@FAST
@given(st.data())
def test_cell_backward_bad_gradients_never_broadcast(data):
    which = data.draw(st.sampled_from(["gates_backward", "lstm_cell_backward"]))
    grads = dict(dh_t=np.ones((B, H)), dc_t=np.ones((B, H)))
    name = data.draw(st.sampled_from(sorted(grads)))
    bad = data.draw(st.one_of(bad_arrays(grads[name]), st.just(np.ones(H)), st.just(np.ones((1, H))),
                              st.just(np.ones((B, 1)))))   # each of these would broadcast silently
    grads[name] = bad
    if which == "gates_backward":
        assert_clear(lambda: cell.gates_backward(grads["dh_t"], grads["dc_t"], CACHE), name)
    else:
        assert_clear(lambda: cell.lstm_cell_backward(grads["dh_t"], grads["dc_t"], CACHE, PARAMS.W_ih, PARAMS.W_hh),
                     name)


@pytest.mark.parametrize("call, name", [
    (lambda: cell.gates_backward(np.ones((B, H)), np.ones((B, H)), tuple(CACHE)), "cache"),
    (lambda: cell.lstm_cell_backward(np.ones((B, H)), np.ones((B, H)), None, PARAMS.W_ih, PARAMS.W_hh), "cache"),
    (lambda: cell.lstm_cell_backward(np.ones((B, H)), np.ones((B, H)), CACHE, PARAMS.W_hh, PARAMS.W_hh), "W_ih"),
    (lambda: cell.split_gates(np.zeros(6)), "z"),
    (lambda: cell.split_gates([1j, 2j, 3j, 4j]), "z"),
    (lambda: cell.split_gates("abcd"), "z"),
    (lambda: activations.sigmoid("a"), "z"),
    (lambda: activations.tanh([1j]), "z"),
    (lambda: activations.sigmoid([[1.0], [1.0, 2.0]]), "z"),
])
def test_cell_helpers_bad_input(call, name):
    assert_clear(call, name)


@FAST
@given(size=BAD_SIZES, seed=BAD_SEEDS, which=st.sampled_from(["input_size", "hidden_size", "rng"]))
def test_init_cell_params_bad_sizes_and_seeds(size, seed, which):
    args = dict(input_size=3, hidden_size=2, rng=0)
    args[which] = seed if which == "rng" else size
    assert_clear(lambda: cell.init_cell_params(**args), which)


# ----------------------------------------------------------------- one layer over a sequence

T = 5
SEQ = dict(x=RNG.normal(size=(T, B, D)), h0=np.zeros((B, H)), c0=np.zeros((B, H)), W_ih=PARAMS.W_ih,
           W_hh=PARAMS.W_hh, b=PARAMS.b_ih + PARAMS.b_hh)
HS, SEQ_CACHE = sequence.sequence_forward(**SEQ)


@FAST
@given(st.data())
def test_sequence_forward_bad_arrays(data):
    name = data.draw(st.sampled_from(sorted(SEQ)))
    args = dict(SEQ, **{name: data.draw(bad_arrays(SEQ[name]))})
    assert_clear(lambda: sequence.sequence_forward(**args), name)


@FAST
@given(st.data())
def test_sequence_backward_bad_arrays(data):
    good = dict(dhs=np.ones((T, B, H)), dh_T=np.ones((B, H)), dc_T=np.ones((B, H)), W_ih=PARAMS.W_ih,
                W_hh=PARAMS.W_hh)
    name = data.draw(st.sampled_from(sorted(good)))
    args = dict(good, **{name: data.draw(bad_arrays(good[name]))})
    assert_clear(lambda: sequence.sequence_backward(cache=SEQ_CACHE, **args), name)
    assert_clear(lambda: sequence.sequence_backward(cache=CACHE, **good), "cache")


# a layer with a projection (proj_size P = 1 < H = 2): h0 (B, P), W_hh (4H, P), W_hr (P, H)
P = 1
SEQ_PROJ = dict(SEQ, h0=np.zeros((B, P)), W_hh=RNG.normal(size=(4 * H, P)), W_hr=RNG.normal(size=(P, H)))
_, SEQ_PROJ_CACHE = sequence.sequence_forward(**SEQ_PROJ)


@FAST
@given(st.data())
def test_sequence_with_projection_bad_arrays(data):
    name = data.draw(st.sampled_from(sorted(SEQ_PROJ)))
    args = dict(SEQ_PROJ, **{name: data.draw(bad_arrays(SEQ_PROJ[name]).filter(lambda v: v is not None
                                                                                or name != "W_hr"))})
    assert_clear(lambda: sequence.sequence_forward(**args), name)
    good = dict(dhs=np.ones((T, B, P)), dh_T=np.ones((B, P)), dc_T=np.ones((B, H)), W_ih=PARAMS.W_ih,
                W_hh=SEQ_PROJ["W_hh"], W_hr=SEQ_PROJ["W_hr"])
    name = data.draw(st.sampled_from(sorted(good)))
    args = dict(good, **{name: data.draw(bad_arrays(good[name]))})
    assert_clear(lambda: sequence.sequence_backward(cache=SEQ_PROJ_CACHE, **args), name)


def test_sequence_projection_must_match_the_cache():
    square = np.ones((H, H))     # proj_size = H: torch refuses it, so do we
    assert assert_clear(lambda: sequence.sequence_forward(**dict(SEQ, W_hr=square)), "W_hr") == \
        "W_hr must have shape (proj_size, H) with 1 <= proj_size < H = 2, got (2, 2)"
    grads = dict(dhs=np.ones((T, B, P)), dh_T=np.ones((B, P)), dc_T=np.ones((B, H)), W_ih=PARAMS.W_ih,
                 W_hh=SEQ_PROJ["W_hh"])
    assert "W_hr must be the (1, 2) projection" in assert_clear(
        lambda: sequence.sequence_backward(cache=SEQ_PROJ_CACHE, **grads), "W_hr")
    plain = dict(dhs=np.ones((T, B, H)), dh_T=np.ones((B, H)), dc_T=np.ones((B, H)), W_ih=PARAMS.W_ih,
                 W_hh=PARAMS.W_hh, W_hr=SEQ_PROJ["W_hr"])
    assert "W_hr must be None" in assert_clear(lambda: sequence.sequence_backward(cache=SEQ_CACHE, **plain), "W_hr")


# ----------------------------------------------------------------- NumpyLSTM

@FAST
@given(st.data())
def test_numpy_lstm_constructor(data):
    name = data.draw(st.sampled_from(["input_size", "hidden_size", "num_layers", "bias", "batch_first",
                                      "bidirectional", "seed", "dtype"]))
    bad = {"seed": BAD_SEEDS, "dtype": st.sampled_from([torch.float32, torch.float64, np.int64, np.complex128,
                                                        "float16", None, object]),
           "bias": st.sampled_from(["no", 0, 1, None]), "batch_first": st.sampled_from(["no", 0, 1, None]),
           "bidirectional": st.sampled_from(["no", 0, 1, None])}.get(name, BAD_SIZES)
    args = dict(input_size=3, hidden_size=2) | {name: data.draw(bad)}
    assert_clear(lambda: NumpyLSTM(**args), name, "NumpyLSTM(input_size, hidden_size")


@FAST
@given(st.data())
def test_numpy_lstm_proj_size(data):
    """proj_size must be an integer in [0, hidden_size - 1], as torch requires."""
    hidden = data.draw(st.integers(1, 6))
    bad = data.draw(st.one_of(st.integers(min_value=hidden, max_value=10**12), st.integers(max_value=-1),
                              st.sampled_from([1.0, 0.5, "1", None, True, False, [1], float("nan"), 1 + 0j]),
                              st.just(np.int64(hidden)), st.just(np.float64(0.0))))
    assert_clear(lambda: NumpyLSTM(3, hidden, proj_size=bad), "proj_size")


def test_numpy_lstm_proj_size_messages():
    assert assert_clear(lambda: NumpyLSTM(3, 4, proj_size=4), "proj_size") == \
        "proj_size must be smaller than hidden_size=4 (torch requires proj_size < hidden_size), got proj_size=4"
    assert assert_clear(lambda: NumpyLSTM(3, 4, proj_size=-1), "proj_size") == \
        "proj_size must be an integer in [0, 3], got -1"
    assert assert_clear(lambda: NumpyLSTM(3, 4, proj_size=2.0), "proj_size") == \
        "proj_size must be an integer in [0, 3], got 2.0"
    assert NumpyLSTM(3, 4, proj_size=np.int64(3)).proj_size == 3


@FAST
@given(st.data())
def test_numpy_lstm_with_projection_call_backward_trace(data):
    net = NumpyLSTM(D, 3, num_layers=2, bidirectional=True, proj_size=2, seed=0)
    x = RNG.normal(size=(T, B, D))
    out, (h_n, c_n) = net(x)
    assert out.shape == (T, B, 4) and h_n.shape == (4, B, 2) and c_n.shape == (4, B, 3)
    what = data.draw(st.sampled_from(["h0", "c0", "d_out", "d_h_n", "d_c_n", "layer", "direction"]))
    if what in ("h0", "c0"):
        state = {"h0": h_n, "c0": c_n}
        state[what] = data.draw(st.one_of(bad_arrays(state[what]), st.just(c_n if what == "h0" else h_n)))
        assert_clear(lambda: net(x, (state["h0"], state["c0"])), what)
    elif what.startswith("d_"):
        good = {"d_out": np.ones_like(out), "d_h_n": np.ones_like(h_n), "d_c_n": np.ones_like(c_n)}
        swapped = {"d_out": np.ones((T, B, 6)), "d_h_n": np.ones_like(c_n), "d_c_n": np.ones_like(h_n)}[what]
        good[what] = data.draw(st.one_of(bad_arrays(good[what]), st.just(swapped))
                               .filter(lambda v: v is not None or what == "d_out"))
        assert_clear(lambda: net.backward(**good), what)
    else:
        bad = data.draw(st.sampled_from([0.5, -1, 2, 5, "0", None, True]))
        assert_clear(lambda: net.projection(**{what: bad}), what)
        assert_clear(lambda: net.trace(**{what: bad}), what)


def test_numpy_lstm_messages_quoted_in_the_issue():
    assert assert_clear(lambda: NumpyLSTM(3, 2, seed=-1), "seed") == \
        "seed must be an integer in [0, 4294967295], got -1"
    assert assert_clear(lambda: NumpyLSTM(3, 2, dtype=torch.float32), "dtype") == \
        "dtype must be np.float64 or np.float32, got torch.float32"
    net = NumpyLSTM(3, 2, seed=0)
    for _ in range(2):   # before a forward pass (the issue's example) and after one
        assert assert_clear(lambda: net.trace(layer=0.5), "layer") == "layer must be an integer in [0, 0], got 0.5"
        net(np.zeros((4, 3)))
    assert assert_clear(lambda: net(np.zeros((4, 3)) + 7j), "x") == "x must hold real numbers, got complex dtype complex128"
    assert_clear(lambda: NumpyLSTM(4096, 4096, num_layers=2), "parameters")


@FAST
@given(st.data())
def test_numpy_lstm_call_backward_trace(data):
    net = NumpyLSTM(D, H, num_layers=2, bidirectional=True, seed=0)
    x = RNG.normal(size=(T, B, D))
    out, (h_n, c_n) = net(x)
    what = data.draw(st.sampled_from(["x", "h0", "c0", "state", "d_out", "d_h_n", "d_c_n", "layer", "direction"]))
    if what == "x":
        assert_clear(lambda: net(data.draw(bad_arrays(x))), "x")
    elif what in ("h0", "c0"):
        state = {"h0": h_n, "c0": c_n}
        state[what] = data.draw(bad_arrays(h_n))
        assert_clear(lambda: net(x, (state["h0"], state["c0"])), what)
    elif what == "state":
        assert_clear(lambda: net(x, data.draw(st.sampled_from([h_n, (h_n,), "state", 3]))), "state")
    elif what.startswith("d_"):
        good = {"d_out": np.ones_like(out), "d_h_n": np.ones_like(h_n), "d_c_n": np.ones_like(c_n)}
        good[what] = data.draw(bad_arrays(good[what]).filter(lambda v: v is not None or what == "d_out"))
        assert_clear(lambda: net.backward(**good), what)      # (d_h_n=None, d_c_n=None mean zeros)
    else:
        bad = data.draw(st.sampled_from([0.5, -1, 2, 5, "0", None, True]))
        assert_clear(lambda: net.trace(**{what: bad}), what)
        assert_clear(lambda: net.cell_params(**{what: bad}), what)


# ----------------------------------------------------------------- gradcheck

@FAST
@given(st.data())
def test_gradcheck_bad_input(data):
    arr = np.ones(3)
    what = data.draw(st.sampled_from(["loss", "arr", "eps", "loss value", "got", "ref"]))
    if what == "loss":
        assert_clear(lambda: gradcheck.numeric_gradient(data.draw(st.sampled_from([None, 3, "f"])), arr), "loss")
    elif what == "arr":
        bad = data.draw(st.one_of(bad_arrays(arr).filter(spoiled), st.just([1.0, 2.0]), st.just(np.arange(3))))
        assert_clear(lambda: gradcheck.numeric_gradient(lambda: 0.0, bad), "arr")
    elif what == "eps":
        bad = data.draw(st.one_of(BAD_NUMBERS, st.sampled_from([0.0, -1e-6, 1.0])))
        assert_clear(lambda: gradcheck.numeric_gradient(lambda: 0.0, arr, eps=bad), "eps")
    elif what == "loss value":
        value = data.draw(st.sampled_from([float("nan"), "x", None, np.ones(2), 1j]))
        assert_clear(lambda: gradcheck.numeric_gradient(lambda: value, arr), "loss")
        assert np.array_equal(arr, np.ones(3))                 # the nudged entry was put back
    else:
        good = {"got": np.ones(3), "ref": np.ones(3)}
        good[what] = data.draw(bad_arrays(good[what]))
        assert_clear(lambda: gradcheck.rel_error(**good), what, "got")


def test_gradcheck_refuses_minutes_of_work():
    assert_clear(lambda: gradcheck.numeric_gradient(lambda: 0.0, np.zeros(10**6)), "arr asks for 1,000,000 entries")


# ----------------------------------------------------------------- interop

@FAST
@given(st.data())
def test_interop_bad_input(data):
    what = data.draw(st.sampled_from(["cell", "params", "params entry", "dtype", "module", "net"]))
    if what == "cell":
        bad = data.draw(st.sampled_from([None, torch.nn.LSTM(3, 2), PARAMS, "cell"]))
        assert_clear(lambda: interop.cell_params_from_torch(bad), "cell")
    elif what == "params":
        bad = data.draw(st.sampled_from([None, PARAMS[:3], "WWbb", 4, PARAMS.W_ih]))
        assert_clear(lambda: interop.torch_cell_from_params(bad), "params", "W_ih")
    elif what == "params entry":
        k = data.draw(st.integers(0, 3))
        entries = list(PARAMS)
        entries[k] = data.draw(bad_arrays(entries[k]))
        assert_clear(lambda: interop.torch_cell_from_params(tuple(entries)), cell.CellParams._fields[k], "W_hh")
    elif what == "dtype":
        bad = data.draw(st.sampled_from([np.float64, torch.int64, "float64", None, torch.complex64]))
        assert_clear(lambda: interop.torch_cell_from_params(PARAMS, dtype=bad), "dtype")
    elif what == "module":
        bad = data.draw(st.sampled_from([None, torch.nn.GRU(3, 2), torch.nn.LSTMCell(3, 2), NumpyLSTM(3, 2)]))
        assert_clear(lambda: interop.numpy_lstm_from_torch(bad), "module")
    else:
        bad = data.draw(st.sampled_from([None, torch.nn.LSTM(3, 2), {"weight_ih_l0": 0}]))
        assert_clear(lambda: interop.numpy_lstm_to_torch(bad), "net")


def test_interop_refuses_integer_weights():
    assert_clear(lambda: interop.numpy_lstm_from_torch(torch.nn.LSTM(3, 2).to(torch.float16)), "float64 or float32")


# ----------------------------------------------------------------- memory and story

@FAST
@given(st.data())
def test_memory_bad_input(data):
    fn = data.draw(st.sampled_from(["run_scalar_cell", "half_life", "steps_to_fraction", "pulse", "run_scalar_rnn"]))
    good = {"run_scalar_cell": dict(f=0.5, i=0.5, g=np.ones(4), c0=0.0), "half_life": dict(f=0.5),
            "steps_to_fraction": dict(c=np.ones(4), start=0, fraction=0.5),
            "pulse": dict(steps=5, at=1, value=1.0), "run_scalar_rnn": dict(w=0.5, u=1.0, x=np.ones(4))}[fn]
    name = data.draw(st.sampled_from(sorted(good)))
    if isinstance(good[name], np.ndarray):
        bad = data.draw(st.one_of(bad_arrays(good[name]), st.just(np.ones(200_001)), st.just([]))
                        .filter(lambda v: spoiled(v) or name not in ("c", "g", "x")))   # sequences: any length
    elif name in ("steps", "at", "start"):
        bad = data.draw(st.one_of(BAD_SIZES.filter(lambda v: v != 0 or name != "start"), st.just(10**9)))
    elif name in ("f", "i", "fraction"):
        bad = data.draw(st.one_of(BAD_NUMBERS, st.sampled_from([-0.1, 1.5])))
    else:
        bad = data.draw(BAD_KINDS)       # c0, w, u, value: any finite number is valid
    assert_clear(lambda: getattr(memory, fn)(**dict(good, **{name: bad})), name)


VOCAB = story.vocabulary(story.STORY_KEEP, story.STORY_SWITCH)


@FAST
@given(st.data())
def test_story_bad_input(data):
    bad_words = st.sampled_from(["Xiaohong went", None, [], ["Xiaohong", 3], ["Xiaohong", ""], ("x",) * 10_001])
    what = data.draw(st.sampled_from(["sentences", "vocab", "forget_on_filler", "words", "params"]))
    if what == "sentences":
        assert_clear(lambda: story.vocabulary(data.draw(bad_words)), "sentences")
    elif what == "vocab":
        bad = data.draw(st.one_of(bad_words, st.just(["a", "a"])))
        assert_clear(lambda: story.story_params(bad), "vocab")
        assert_clear(lambda: story.run_story(story.STORY_KEEP, bad, story.story_params(VOCAB)), "vocab")
    elif what == "forget_on_filler":
        bad = data.draw(st.one_of(BAD_NUMBERS, st.just(50.0)))
        assert_clear(lambda: story.story_params(VOCAB, forget_on_filler=bad), "forget_on_filler")
    elif what == "words":
        assert_clear(lambda: story.run_story(data.draw(bad_words), VOCAB, story.story_params(VOCAB)), "words")
    else:
        bad = data.draw(st.sampled_from([None, "params", story.story_params(VOCAB[:3]), PARAMS]))
        assert_clear(lambda: story.run_story(story.STORY_KEEP, VOCAB, bad), "params")


# ----------------------------------------------------------------- notebook 01's panels and the diagram

@FAST
@given(st.data())
def test_notebook_01_panels_and_diagram_bad_input(data):
    fn = data.draw(st.sampled_from(["gate_values_view", "gate_from_inputs_view", "memory_view", "draw_cell"]))
    good = {"gate_values_view": dict(i_t=0.5, f_t=0.5, g_t=0.0, o_t=0.5, c_prev=0.0),
            "draw_cell": dict(i_t=0.5, f_t=0.5, g_t=0.0, o_t=0.5, c_prev=0.0),
            "gate_from_inputs_view": dict(x_t=0.0, h_prev=0.0, w_x=1.0, w_h=1.0, b=0.0),
            "memory_view": dict(f=0.9, i=1.0, steps=30)}[fn]
    name = data.draw(st.sampled_from(sorted(good)))
    free = fn == "draw_cell" and name == "c_prev"        # the drawing takes any finite c_prev
    bad = data.draw(st.one_of(BAD_SIZES, st.just(5000)) if name == "steps" else BAD_KINDS if free else BAD_NUMBERS)
    args = dict(good, **{name: bad})
    if fn == "draw_cell":
        assert_clear(lambda: diagram.draw_cell(Figure().add_subplot(), **args), name)
    else:
        assert_clear(lambda: getattr(panels, fn)(**args), name)
