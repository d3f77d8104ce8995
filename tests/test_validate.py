"""lstm_course.validate: each helper passes good input through and names the argument in every refusal."""

import math

import numpy as np
import pytest
import torch

from lstm_course import validate as v


def test_as_array_converts_and_keeps_float32():
    assert v.as_array("x", [1, 2]).dtype == np.float64
    assert v.as_array("x", np.zeros(2, np.float32)).dtype == np.float32
    assert v.as_array("x", [True, False]).tolist() == [1.0, 0.0]
    assert v.as_array("x", np.zeros((2, 3)), ndim=(2, 3)).shape == (2, 3)


def test_as_real_array_is_the_cheap_half_of_as_array():
    x = np.array([1.0, np.nan, np.inf])
    assert v.as_real_array("z", x) is x                       # no copy, NaN and infinity pass
    assert v.as_real_array("z", np.arange(3, dtype=np.int8)).dtype == np.float64
    assert v.as_real_array("z", np.zeros(2, np.float32)).dtype == np.float32
    for bad in ([1j], "a", [[1.0], [1.0, 2.0]]):
        with pytest.raises(ValueError, match="^z must"):
            v.as_real_array("z", bad)
    assert v.as_array("x", x[:1]) is not x[:1]                  # as_array still copies


def test_as_tensor_converts_and_keeps_floating_tensors():
    t = torch.zeros(2, dtype=torch.float64)
    assert v.as_tensor("x", t) is t
    assert v.as_tensor("x", [1.0, 2.0]).dtype == torch.float32
    assert v.as_tensor("x", t, dtype=torch.float32).dtype == torch.float32
    assert v.as_tensor("x", np.zeros((2, 3)), ndim=2).shape == (2, 3)


def test_scalar_checks_pass_good_values():
    assert v.check_in_range("p", np.float32(0.5), 0, 1) == 0.5
    assert v.check_in_range("p", math.inf, 0, math.inf) == math.inf
    assert v.check_real("p", np.int64(3)) == 3.0
    assert v.check_bool("b", np.bool_(True)) is True
    assert v.check_int("n", np.int32(4), 1, 4) == 4
    assert v.check_seed("seed", None) is None and v.check_seed("seed", 2**32 - 1) == 2**32 - 1
    assert v.check_choice("kind", "lstm", ("rnn", "lstm")) == "lstm"
    assert v.check_callable("fn", len) is len
    assert v.check_instance("x", 3, (int, float)) == 3
    assert v.check_size("steps", 10, 10, "memory") == 10
    v.check_shape("x", np.zeros((2, 3)), (2, 3))


@pytest.mark.parametrize("call, error, message", [
    (lambda: v.as_array("x", [[1, 2], [3]]), ValueError, "x must be an array of numbers, got list"),
    (lambda: v.as_array("x", ["a", "b"]), ValueError, "x must be an array of numbers, got dtype <U1"),
    (lambda: v.as_array("x", [None]), ValueError, "x must be an array of numbers, got dtype object"),
    (lambda: v.as_array("x", [1 + 2j]), ValueError, "x must hold real numbers, got complex dtype complex128"),
    (lambda: v.as_array("x", np.zeros(3), ndim=2), ValueError, "x must be 2-D, got 1-D array of shape (3,)"),
    (lambda: v.as_array("x", np.zeros(3), ndim=(2, 3)), ValueError, "x must be 2-D or 3-D, got 1-D array of shape (3,)"),
    (lambda: v.as_array("x", [1.0, math.nan]), ValueError, "x contains NaN or infinity"),
    (lambda: v.as_array("x", [math.inf]), ValueError, "x contains NaN or infinity"),
    (lambda: v.check_shape("h0", np.zeros((2, 3)), (2, 4)), ValueError, "h0 must have shape (2, 4), got (2, 3)"),
    (lambda: v.check_in_range("p", "0.5", 0, 1), TypeError, "p must be a real number in [0, 1], got str '0.5'"),
    (lambda: v.check_in_range("p", True, 0, 1), TypeError, "p must be a real number in [0, 1], got bool True"),
    (lambda: v.check_in_range("p", 1j, 0, 1), TypeError, "p must be a real number in [0, 1], got complex 1j"),
    (lambda: v.check_in_range("p", np.zeros(1), 0, 1), TypeError, "p must be a real number in [0, 1], got ndarray"),
    (lambda: v.check_in_range("p", math.nan, 0, 1), ValueError, "p must be in [0, 1], got nan"),
    (lambda: v.check_in_range("p", 2, 0, 1), ValueError, "p must be in [0, 1], got 2.0"),
    (lambda: v.check_real("p", math.inf), ValueError, "p must be a finite number, got inf"),
    (lambda: v.check_real("p", -5, 0.0, 1.0), ValueError, "p must be in [0.0, 1.0], got -5.0"),
    (lambda: v.check_bool("flag", "no"), TypeError, "flag must be True or False, got str 'no'"),
    (lambda: v.check_bool("flag", 1), TypeError, "flag must be True or False, got int 1"),
    (lambda: v.check_bool("flag", None), TypeError, "flag must be True or False, got NoneType None"),
    (lambda: v.check_int("n", 0), ValueError, "n must be an integer >= 1, got 0"),
    (lambda: v.check_int("n", 2.0), ValueError, "n must be an integer >= 1, got 2.0"),
    (lambda: v.check_int("n", True), ValueError, "n must be an integer >= 1, got True"),
    (lambda: v.check_int("n", "3"), ValueError, "n must be an integer >= 1, got '3'"),
    (lambda: v.check_int("n", 11, 1, 10), ValueError, "n must be an integer in [1, 10], got 11"),
    (lambda: v.check_seed("seed", -1), ValueError, "seed must be an integer in [0, 4294967295], got -1"),
    (lambda: v.check_seed("seed", 2**32), ValueError, "seed must be an integer in [0, 4294967295], got 4294967296"),
    (lambda: v.check_seed("seed", 1.5), ValueError, "seed must be an integer in [0, 4294967295], got 1.5"),
    (lambda: v.check_choice("kind", "LSTM", ("rnn", "lstm")), ValueError, "kind must be one of ('rnn', 'lstm'), got 'LSTM'"),
    (lambda: v.check_choice("flag", 1, (True, False)), ValueError, "flag must be one of (True, False), got 1"),
    (lambda: v.check_callable("fn", 42), TypeError, "fn must be a function, got int"),
    (lambda: v.check_instance("x", "a", int), TypeError, "x must be int, got str"),
    (lambda: v.check_instance("x", "a", (int, float)), TypeError, "x must be int or float, got str"),
    (lambda: v.check_instance("x", "a", int, "a whole number"), TypeError, "x must be a whole number, got str"),
    (lambda: v.check_size("steps", 11, 10, "steps: each is a forward pass"), ValueError,
     "steps asks for 11 steps, more than the limit of 10: each is a forward pass"),
    (lambda: v.as_tensor("x", torch.zeros(2, dtype=torch.int64)), ValueError,
     "x must be a tensor of real floating numbers, got dtype torch.int64"),
    (lambda: v.as_tensor("x", torch.zeros(2, dtype=torch.complex64)), ValueError,
     "x must be a tensor of real floating numbers, got dtype torch.complex64"),
    (lambda: v.as_tensor("x", torch.zeros(2), ndim=2), ValueError, "x must be 2-D, got 1-D tensor of shape (2,)"),
    (lambda: v.as_tensor("x", torch.tensor([math.nan])), ValueError, "x contains NaN or infinity"),
    (lambda: v.as_tensor("x", [1 + 1j]), ValueError, "x must hold real numbers, got complex dtype complex128"),
])
def test_each_refusal_names_the_argument(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert str(info.value) == message or message in str(info.value)
    assert str(info.value).startswith(message.split()[0])


@pytest.mark.parametrize("value", [0, 1, None, "True"])
def test_check_bool_refuses_what_is_not_true_or_false(value):
    from lstm_course.validate import check_bool
    with pytest.raises(TypeError, match=f"flag must be True or False, got {type(value).__name__} {value!r}"):
        check_bool("flag", value)
    assert check_bool("flag", np.bool_(True)) is True and check_bool("flag", False) is False
