"""The cell-step checker passes a right answer and names the wrong gate otherwise."""

import numpy as np
import pytest

from lstm_course.lstm.activations import sigmoid
from lstm_course.lstm.cell import lstm_cell_forward
from lstm_course.classroom.checkers import check_cell_step


def make_step(order="ifgo", g_act=np.tanh, use_b_hh=True, h_tanh=True, keep_old=True, use_W_hh=True, use_x=True):
    """A cell step with one deliberate mistake switched on by the arguments."""
    def step(x_t, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
        z = (W_ih @ x_t if use_x else 0) + (W_hh @ h_prev if use_W_hh else 0) + b_ih + (b_hh if use_b_hh else 0)
        blocks = dict(zip(order, np.split(z, 4)))
        i_t, f_t, o_t, g_t = sigmoid(blocks["i"]), sigmoid(blocks["f"]), sigmoid(blocks["o"]), g_act(blocks["g"])
        c_t = (f_t * c_prev if keep_old else 0) + i_t * g_t
        return o_t * (np.tanh(c_t) if h_tanh else c_t), c_t
    return step


def parts(result):
    return {p.split(":")[0] for p in result.problems}


def test_reference_and_correct_step_pass():
    assert check_cell_step(make_step()).passed
    assert check_cell_step(lambda *a: lstm_cell_forward(*a)[:2]).passed


@pytest.mark.parametrize("mistake,named", [
    (dict(keep_old=False), {"forget gate f_t"}),
    (dict(g_act=sigmoid), {"candidate g_t"}),
    (dict(h_tanh=False), {"hidden state h_t"}),
    (dict(use_b_hh=False), {"bias b_hh"}),
    (dict(use_W_hh=False), {"recurrent weights W_hh"}),
    (dict(use_x=False), {"input weights W_ih"}),
    (dict(order="figo"), {"forget gate f_t", "input gate i_t", "candidate g_t"}),
    (dict(order="ifgo", g_act=np.tanh, h_tanh=True, keep_old=True, use_b_hh=True), set()),
])
def test_checker_names_the_wrong_part(mistake, named):
    result = check_cell_step(make_step(**mistake))
    assert parts(result) == named
    assert result.passed == (not named)


def test_output_gate_mistake_is_named():
    def step(x_t, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
        h_t, c_t, cache = lstm_cell_forward(x_t, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh)
        return np.tanh(c_t), c_t          # forgot the output gate
    assert parts(check_cell_step(step)) == {"output gate o_t"}


def test_not_written_crashing_and_wrong_returns_are_explained():
    def todo(*args):
        raise NotImplementedError
    assert check_cell_step(todo).problems == ["not written yet: replace `raise NotImplementedError` with your code"]
    assert "raised ZeroDivisionError" in check_cell_step(lambda *a: 1 / 0).problems[0]
    assert "return (h_t, c_t)" in check_cell_step(lambda *a: a[0]).problems[0]
    assert "must have shape (2,)" in check_cell_step(lambda *a: (np.zeros(3), np.zeros(3))).problems[0]
    with pytest.raises(ValueError, match="step must be a function"):
        check_cell_step(42)


def test_verdict_reads_as_pass_or_not_yet():
    assert str(check_cell_step(make_step())) == "LSTM cell step: PASS"
    text = str(check_cell_step(make_step(keep_old=False)))
    assert text.startswith("LSTM cell step: NOT YET") and "forget gate f_t" in text
    assert "not yet" in check_cell_step(make_step(keep_old=False))._repr_html_()


def test_call_learner_passes_copies_and_reports_exceptions_with_hints():
    import torch
    from lstm_course.classroom.checkers import call_learner

    x, t = np.zeros(3), torch.zeros(2)

    def scribble(a, b, n):
        a[:] = 1.0
        b[:] = 1.0
        return n + 1

    out, failed = call_learner("t", scribble, x, t, 2)
    assert failed is None and out == 3
    assert not x.any() and not t.any()  # the checker's own inputs are untouched

    _, stub = call_learner("t", lambda: (_ for _ in ()).throw(NotImplementedError()))
    assert stub.problems == ["not written yet: replace `raise NotImplementedError` with your code"]

    def index_past(a):
        return a[5]

    _, failed = call_learner("t", index_past, x, hints={IndexError: "steps count from 0"})
    assert not failed.passed
    assert failed.problems[0].startswith("your function raised IndexError: ")
    assert failed.problems[0].endswith(". Hint: steps count from 0")
    _, failed = call_learner("t", lambda a: a / "x", x, hints={IndexError: "steps count from 0"})
    assert "Hint" not in failed.problems[0] and "TypeError" in failed.problems[0]
