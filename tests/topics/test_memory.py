"""Half-life of a constant forget gate and the RNN recap (lstm_course.topics.memory)."""

import math

import numpy as np
import pytest

from lstm_course.topics import memory


@pytest.mark.parametrize("f", [0.3, 0.5, 0.7, 0.9, 0.95, 0.99, 0.999])
def test_half_life_matches_simulation(f):
    c = memory.run_scalar_cell(1.0, f, memory.pulse(8000))
    tau = memory.half_life(f)
    assert memory.steps_to_fraction(c, start=1) == math.ceil(tau)
    assert c[math.ceil(tau)] > 0.5 * c[1] >= c[1 + math.ceil(tau)]   # one step earlier it was still above half


@pytest.mark.parametrize("k", [1, 2, 5, 20])
def test_whole_half_life_halves_exactly(k):
    f = 0.5 ** (1 / k)
    c = memory.run_scalar_cell(0.7, f, memory.pulse(3 * k + 2))
    assert memory.half_life(f) == pytest.approx(k, rel=1e-12)
    assert c[1 + k] == pytest.approx(c[1] / 2, rel=1e-12) and c[1 + 2 * k] == pytest.approx(c[1] / 4, rel=1e-12)


def test_half_life_edges_and_errors():
    assert memory.half_life(0.0) == 0.0 and memory.half_life(1.0) == math.inf
    with pytest.raises(ValueError, match=r"f must be in \[0.0, 1.0\], got 1.2"):
        memory.half_life(1.2)
    with pytest.raises(ValueError, match=r"i must be in \[0.0, 1.0\], got -0.1"):
        memory.run_scalar_cell(-0.1, 0.5, [1.0])
    with pytest.raises(ValueError, match="g must be 1-D"):
        memory.run_scalar_cell(0.5, 0.5, np.ones((2, 2)))
    with pytest.raises(ValueError, match=r"at must be an integer in \[1, 3\], got 4"):
        memory.pulse(3, at=4)
    with pytest.raises(ValueError, match=r"start must be an integer in \[0, 2\], got 3"):
        memory.steps_to_fraction([1.0, 0.5, 0.2], start=3)
    assert memory.steps_to_fraction([1.0, 1.0, 1.0], start=0) is None


def test_plain_rnn_fades_or_latches():
    x = memory.pulse(30)
    fading, latched = memory.run_scalar_rnn(0.5, 1.0, x), memory.run_scalar_rnn(1.5, 1.0, x)
    assert abs(fading[-1]) < 1e-6
    assert latched[-1] > 0.8 and abs(latched[-1] - latched[-2]) < 1e-9


@pytest.mark.parametrize("call, error, message", [
    (lambda: memory.run_scalar_cell(0.5, 0.5, [1.0], c0=float("nan")), ValueError, "c0 must be"),
    (lambda: memory.run_scalar_cell(0.5, 0.5, []), ValueError, "g must hold at least one step"),
    (lambda: memory.run_scalar_cell(0.5, 0.5, [1.0, 1j]), ValueError, "g must hold real numbers"),
    (lambda: memory.pulse(10**7), ValueError, "steps asks for 10,000,000 steps, more than the limit of 100,000"),
    (lambda: memory.pulse(5, at=2.0), ValueError, r"at must be an integer in \[1, 5\], got 2.0"),
    (lambda: memory.pulse(5, value=float("inf")), ValueError, "value must be a finite number"),
    (lambda: memory.run_scalar_rnn(float("nan"), 1.0, [1.0]), ValueError, "w must be"),
    (lambda: memory.run_scalar_rnn(0.5, "1", [1.0]), TypeError, "u must be a real number"),
    (lambda: memory.steps_to_fraction([1.0, 0.5], start=0, fraction=2.0), ValueError, r"fraction must be in \[0.0, 1.0\]"),
    (lambda: memory.steps_to_fraction([1.0, 0.5], start=0.5), ValueError, r"start must be an integer in \[0, 1\], got 0.5"),
    (lambda: memory.steps_to_fraction([], start=0), ValueError, "c must hold at least one value"),
])
def test_unchecked_parameters_are_now_checked(call, error, message):
    with pytest.raises(error, match=message):
        call()
