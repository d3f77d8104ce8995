"""The finite-difference step sweep of notebook 03 (lstm_course.topics.bptt)."""

import math

import numpy as np
import pytest
from bad_input import assert_clear
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lstm_course.topics import bptt

FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def sine_problem(seed=0, n=20):
    p = np.random.default_rng(seed).uniform(-2, 2, n)
    return (lambda: float(np.sin(p).sum())), p, np.cos(p)


def test_truncation_error_is_eps_squared_over_six():
    # central differences of sin: (sin(p+e) - sin(p-e)) / 2e = cos(p) sin(e)/e ~ cos(p) (1 - e^2/6)
    loss, p, exact = sine_problem()
    errors = bptt.epsilon_sweep(loss, p, exact, (1e-2, 3e-3))
    assert errors == pytest.approx([1e-4 / 6, 9e-6 / 6], rel=1e-3)


def test_sweep_is_v_shaped():
    loss, p, exact = sine_problem(seed=1)
    errors = bptt.epsilon_sweep(loss, p, exact)
    assert errors.shape == (len(bptt.EPSILONS),)
    best = bptt.EPSILONS[int(np.argmin(errors))]
    assert 1e-7 <= best <= 1e-4
    assert errors[bptt.EPSILONS.index(1e-12)] > 100 * errors[bptt.EPSILONS.index(1e-6)]   # round-off
    assert errors[0] > 100 * errors.min()                                                   # truncation


def test_array_is_restored():
    loss, p, exact = sine_problem()
    keep = p.copy()
    bptt.epsilon_sweep(loss, p, exact, (1e-3, 1e-9))
    assert np.array_equal(p, keep)


@pytest.mark.parametrize("call, names", [
    (lambda: bptt.epsilon_sweep("loss", np.ones(3), np.ones(3)), ("loss",)),
    (lambda: bptt.epsilon_sweep(lambda: 0.0, [1.0, 2.0], np.ones(2)), ("arr",)),
    (lambda: bptt.epsilon_sweep(lambda: 0.0, np.ones(3), np.ones(4)), ("analytic",)),
    (lambda: bptt.epsilon_sweep(lambda: 0.0, np.ones(3), [1.0, np.nan, 1.0]), ("analytic",)),
    (lambda: bptt.epsilon_sweep(lambda: 0.0, np.ones(3), np.ones(3), ()), ("epsilons",)),
    (lambda: bptt.epsilon_sweep(lambda: 0.0, np.ones(3), np.ones(3), 1e-6), ("epsilons",)),
    (lambda: bptt.epsilon_sweep(lambda: 0.0, np.ones(3), np.ones(3), "1e-6"), ("epsilons",)),
    (lambda: bptt.epsilon_sweep(lambda: 0.0, np.ones(3), np.ones(3), (1e-6, 0.0)), ("epsilons[1]",)),
    (lambda: bptt.epsilon_sweep(lambda: 0.0, np.ones(3), np.ones(3), (0.1,)), ("epsilons[0]",)),
    (lambda: bptt.epsilon_sweep(lambda: 0.0, np.ones(3), np.ones(3), [1e-6] * 65), ("epsilons",)),
    (lambda: bptt.epsilon_sweep(lambda: "x", np.ones(3), np.ones(3), (1e-6,)), ("loss()",)),
    (lambda: bptt.epsilon_sweep(lambda: 0.0, np.ones(3, dtype=int), np.ones(3), (1e-6,)), ("arr",)),
])
def test_bad_input_is_named(call, names):
    assert_clear(call, *names)


@FAST
@given(st.one_of(st.just(math.nan), st.just(math.inf), st.floats(max_value=0.0), st.floats(min_value=0.0101),
                 st.booleans(), st.none(), st.text(max_size=3), st.just(1 + 2j)))
def test_bad_step_is_named(eps):
    loss, p, exact = sine_problem(n=3)
    assert_clear(lambda: bptt.epsilon_sweep(loss, p, exact, (1e-6, eps)), "epsilons[1]")
