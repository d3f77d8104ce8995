"""Property tests: bad input to notebook 04's levels, robustness table and gradient split gets a clear error."""

import math

import numpy as np
import pytest
import torch
from bad_input import assert_clear
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lstm_course.topics import adding_problem as ap
from lstm_course.torchkit import RecurrentRegressor

FAST = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])

not_numbers = st.one_of(st.none(), st.text(max_size=3), st.just(1 + 2j), st.just([1, 2]), st.just(object()))
bad_int = st.one_of(st.integers(max_value=0), st.integers(min_value=10**13), st.floats(), st.booleans(), not_numbers)
bad_real = st.one_of(st.just(math.nan), st.just(math.inf), st.just(-math.inf), st.floats(min_value=1e7),
                     st.booleans(), st.text(max_size=3), st.just(1 + 2j))
bad_bool = st.one_of(st.text(max_size=3), st.integers(), st.none(), st.floats())
bad_array = st.sampled_from([np.full((4, 5, 2), np.nan), np.full((4, 5, 2), np.inf), np.zeros((4, 5, 2)) + 1j,
                             np.zeros((4, 5)), np.zeros((4, 5, 2, 1)), np.zeros((4, 5, 3)), np.zeros((0, 5, 2)),
                             np.array(["a", "b"]), None, "abc", 3.0])

torch.manual_seed(0)
RNN = RecurrentRegressor("rnn", 2, 3)
SIGN = RecurrentRegressor("rnn", 1, 3)
X, Y = ap.adding_batch(6, 4, torch.Generator().manual_seed(0))
XS, YS = ap.first_sign_batch(6, 4, torch.Generator().manual_seed(0))

INTS = {
    "long_range_share distance": ("distance", lambda v: ap.long_range_share(RNN, X, Y, v)),
    "robustness T": ("T", lambda v: ap.robustness(T=v, progress=False)),
    "robustness steps": ("steps", lambda v: ap.robustness(steps=v, progress=False)),
}
ARRAYS = {
    "second_value_mse x": ("x", lambda v: ap.second_value_mse(v, Y)),
    "second_value_mse y": ("y", lambda v: ap.second_value_mse(X, v)),
    "long_range_share x": ("x", lambda v: ap.long_range_share(RNN, v, Y, 1)),
    "sign_accuracy x": ("x", lambda v: ap.sign_accuracy(SIGN, v, YS)),
}
BOOLS = {
    "cost_table onednn": ("onednn", lambda v: ap.cost_table((4,), onednn=v, progress=False)),
    "robustness progress": ("progress", lambda v: ap.robustness(progress=v)),
}


@pytest.mark.parametrize("case", sorted(INTS))
@FAST
@given(value=bad_int)
def test_bad_integers_are_refused_by_name(case, value):
    name, call = INTS[case]
    assert_clear(lambda: call(value), name)


@pytest.mark.parametrize("case", sorted(ARRAYS))
@FAST
@given(value=bad_array)
def test_bad_arrays_are_refused_by_name(case, value):
    name, call = ARRAYS[case]
    assert_clear(lambda: call(value), name)


@pytest.mark.parametrize("case", sorted(BOOLS))
@FAST
@given(value=bad_bool)
def test_flags_take_only_true_or_false(case, value):
    name, call = BOOLS[case]
    assert_clear(lambda: call(value), name)


@FAST
@given(value=bad_real)
def test_a_bad_forget_bias_is_refused_by_name(value):
    assert_clear(lambda: ap.train("lstm", T=4, steps=1, forget_bias=value, progress=False), "forget_bias")


@FAST
@given(value=st.one_of(st.text(max_size=8), st.none(), st.integers()))
def test_an_unknown_init_is_refused_by_name(value):
    assert_clear(lambda: ap.train("rnn", T=4, steps=1, init=value, progress=False), "init")


def test_long_range_share_and_sign_accuracy_refuse_other_models():
    assert_clear(lambda: ap.long_range_share("model", X, Y, 1), "model")
    assert_clear(lambda: ap.long_range_share(RecurrentRegressor("lstm", 2, 3), X, Y, 1), "model")
    assert_clear(lambda: ap.sign_accuracy(None, XS, YS), "model")
    assert_clear(lambda: ap.verdict(0.1), "result")
