"""Notebook 08's checker: the CIFG step passes the package's cell and names each usual slip."""

import numpy as np
import pytest

from lstm_course.classroom.checkers import CIFG_PROBES, CIFG_SLIPS, check_cifg_step, cifg_reference


def sig(z):
    return 1 / (1 + np.exp(-z))


def learner(keep="1-i", write="i", order="igo", g_act=np.tanh, h_tanh=True, b_hh=True, returns="hc", dtype=None):
    """A learner's CIFG step with one slip switched on by the arguments (written apart from the checker's)."""
    def step(x_t, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh_):
        z = W_ih @ x_t + b_ih + W_hh @ h_prev + (b_hh_ if b_hh else 0)
        blocks = dict(zip(order, np.split(z, 3)))
        i, g, o = sig(blocks["i"]), g_act(blocks["g"]), sig(blocks["o"])
        gates = {"i": i, "1-i": 1 - i, "1": 1.0}
        c = gates[keep] * c_prev + gates[write] * g
        h = o * (np.tanh(c) if h_tanh else c)
        if dtype is not None:
            h, c = h.astype(dtype), c.astype(dtype)
        return (h, c) if returns == "hc" else (c, h)
    return step


def stub(*args):
    raise NotImplementedError


def test_the_package_and_a_correct_learner_pass():
    assert check_cifg_step(learner())
    assert check_cifg_step(cifg_reference)
    assert check_cifg_step(learner(dtype=np.float32))                 # float32 answers: checked to float32 precision
    assert check_cifg_step(lambda *a: tuple(list(v) for v in learner()(*a)))      # lists are fine


WRONG = {
    "f = i": (learner(keep="i"), CIFG_SLIPS["f = i"]),
    "swapped": (learner(keep="i", write="1-i"), CIFG_SLIPS["swapped"]),
    "no forgetting": (learner(keep="1"), CIFG_SLIPS["no forgetting"]),
    "block order": (learner(order="iog"), CIFG_SLIPS["block order"]),
    "sigmoid g": (learner(g_act=sig), CIFG_SLIPS["sigmoid g"]),
    "no tanh": (learner(h_tanh=False), CIFG_SLIPS["no tanh"]),
    "no b_hh": (learner(b_hh=False), CIFG_SLIPS["no b_hh"]),
    "returned (c, h)": (learner(returns="ch"), CIFG_SLIPS["returned (c, h)"]),
    "stub": (stub, "not written yet"),
    "returns None": (lambda *a: None, "return (h_t, c_t)"),
    "wrong shape": (lambda *a: (np.zeros(3), np.zeros(2)), "h_t must have shape (2,)"),
    "raises": (lambda x_t, *a: x_t @ np.zeros((2, 2)), "your function raised ValueError"),
    "NaN": (lambda *a: (np.full(2, np.nan), np.zeros(2)), "NaN or infinity"),
    "other": (lambda *a: (learner()(*a)[0], learner()(*a)[1] + 0.5), "cell state: c_t is"),
    "wrong on the second probe only": (
        lambda *a: learner()(*a) if a[0] is not None and np.allclose(a[0], CIFG_PROBES[0][0])
        else (learner()(*a)[0] * 2, learner()(*a)[1]), "hidden state: h_t is"),
}


@pytest.mark.parametrize("name", WRONG)
def test_each_wrong_answer_is_named(name):
    fn, expected = WRONG[name]
    result = check_cifg_step(fn)
    assert not result and result.problems, (name, str(result))
    assert expected in result.problems[0], (name, result.problems)


def test_every_slip_differs_on_the_probes():
    kinds = [{}, {"keep": "i"}, {"keep": "i", "write": "1-i"}, {"keep": "1"}, {"order": "iog"}, {"g_act": sig},
             {"h_tanh": False}, {"b_hh": False}, {"returns": "ch"}]
    answers = {tuple(np.concatenate(learner(**kw)(*CIFG_PROBES[0])).round(8)) for kw in kinds}
    assert len(answers) == len(kinds)


def test_a_non_function_is_refused_by_name():
    with pytest.raises(TypeError, match="step"):
        check_cifg_step("cifg")
