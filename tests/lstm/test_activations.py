"""sigmoid and tanh: finite and warning-free at the extremes, exact against the definition, dtypes kept."""

import warnings

import numpy as np
import pytest

from lstm_course.lstm.activations import sigmoid, tanh


@pytest.mark.parametrize("z", [1e4, -1e4, 1e300, -1e300, 0.0])
def test_sigmoid_finite_and_warning_free_at_extremes(z):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = sigmoid(np.array([z]))
    assert np.isfinite(s).all() and 0.0 <= s[0] <= 1.0
    assert s[0] == (1.0 if z > 0 else 0.0 if z < 0 else 0.5)


def test_sigmoid_matches_definition_in_normal_range():
    z = np.linspace(-30, 30, 601)
    assert np.allclose(sigmoid(z), 1 / (1 + np.exp(-z)), rtol=1e-14, atol=0)


@pytest.mark.parametrize("z, dtype", [(2.0, np.float64), (3, np.float64), (np.arange(3), np.float64),
                                      (np.float32(2.0), np.float32), (np.ones(2, np.float32), np.float32)])
def test_sigmoid_keeps_float32_and_computes_the_rest_in_float64(z, dtype):
    s = sigmoid(z)
    assert s.dtype == dtype
    assert np.allclose(s, 1 / (1 + np.exp(-np.asarray(z, dtype=np.float64))), rtol=1e-6 if dtype == np.float32 else 1e-15)


@pytest.mark.parametrize("squash", [sigmoid, tanh])
def test_squashes_refuse_complex_as_every_array_check_does(squash):
    with pytest.raises(ValueError, match=r"^z must hold real numbers, got complex dtype complex128$"):
        squash(np.array([1j]))
    assert np.isnan(squash(np.array([np.nan]))).all()   # NaN in, NaN out: no finiteness scan in the loop


def test_sigmoid_is_the_definition_bit_for_bit_and_writes_into_out():
    z = np.random.default_rng(0).normal(scale=20, size=(32, 64))
    out = np.empty_like(z)
    assert sigmoid(z, out=out) is out
    with np.errstate(over="ignore"):
        assert np.array_equal(out, 1 / (1 + np.exp(-z)))          # exact, not merely close
    assert np.array_equal(tanh(z, out=out), np.tanh(z)) and tanh(z, out=out) is out


def test_out_in_place_on_a_block_of_a_bigger_array():
    gates = np.random.default_rng(1).normal(size=(4, 3, 5))
    expected = 1 / (1 + np.exp(-gates[0]))
    sigmoid(gates[0], out=gates[0])                               # what the time loop does
    assert np.array_equal(gates[0], expected)


@pytest.mark.parametrize("squash", [sigmoid, tanh])
@pytest.mark.parametrize("out", [np.empty((2, 2)), np.empty(3, np.float32), [0.0, 0.0, 0.0]])
def test_an_out_that_does_not_fit_is_refused_by_name(squash, out):
    with pytest.raises(ValueError, match=r"^out must be a float64 array of z's shape \(3,\), got "):
        squash(np.zeros(3), out=out)
