"""Property tests: whatever a learner's function returns or raises, every checker answers with a verdict.

Each of the 8 checkers gets a function returning an arbitrary value (None, text, numbers with NaN/inf,
complex, ragged and mixed lists, tuples of arrays of random shapes and dtypes, dicts, tensors with grad,
generators, objects whose conversion raises, huge views) or raising an arbitrary exception. The checker
must return a CheckResult that did not pass, whose problems say what was wrong, from its own reading of
the answer (not from the last-resort net in ``checking.checker``), and never raise.
"""

import re

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from lstm_course.classroom.checkers import (
    BACKWARD_KEYS,
    check_cell_backward,
    check_cell_step,
    check_cifg_step,
    check_forget_scaling,
    check_last_step,
    check_sequence_forward,
    check_summary,
    check_windows,
)
from lstm_course.classroom.checking import CheckResult

CHECKERS = [check_cell_step, check_cifg_step, check_sequence_forward, check_cell_backward, check_forget_scaling, check_last_step,
            check_summary, check_windows]
SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class BadArray:
    def __array__(self, dtype=None, copy=None):
        raise RuntimeError("no array here")


class BadEverything:
    def __array__(self, dtype=None, copy=None):
        raise ValueError("no")

    def __len__(self):
        raise ValueError("no len")

    def __iter__(self):
        raise ValueError("no iter")


class Unprintable(Exception):
    def __str__(self):
        raise RuntimeError("cannot print me")


numbers = st.one_of(st.none(), st.booleans(), st.integers(min_value=-10 ** 30, max_value=10 ** 30),
                    st.floats(allow_nan=True, allow_infinity=True), st.complex_numbers(), st.text(max_size=5))
arrays = hnp.arrays(dtype=st.one_of(hnp.floating_dtypes(), hnp.integer_dtypes(), hnp.complex_number_dtypes(),
                                    hnp.boolean_dtypes(), hnp.unicode_string_dtypes(max_len=3),
                                    hnp.datetime64_dtypes()),
                    shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=5))
shaped = st.sampled_from([(2,), (3, 2), (5, 3, 2), (4, 3), (3, 4), (7, 3, 1), (7, 1), (), (8, 3), (8, 2), (8,)])
right_shapes = shaped.flatmap(lambda s: hnp.arrays(np.float64, s, elements=st.floats(allow_nan=True,
                                                                                      allow_infinity=True)))
tensors = st.builds(lambda a, grad: torch.tensor(a, requires_grad=grad),
                    hnp.arrays(np.float32, hnp.array_shapes(max_dims=3, max_side=5),
                               elements=st.floats(-1e3, 1e3, width=32)), st.booleans())
oddities = st.sampled_from([object, BadArray, BadEverything, lambda: np.broadcast_to(1.0, (10 ** 6, 10 ** 6)),
                            lambda: torch.zeros(3, dtype=torch.complex64),
                            lambda: torch.ones(2, 2, dtype=torch.bfloat16),
                            lambda: np.array([1.0, "a"], dtype=object), lambda: {1, 2}, lambda: range(3),
                            lambda: b"bytes", lambda: Ellipsis, lambda: np.float64,
                            lambda: (x for x in range(3))]).map(lambda make: make())
leaves = st.one_of(numbers, arrays, right_shapes, tensors, oddities)
values = st.recursive(leaves, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.tuples(inner, inner), st.tuples(inner, inner, inner),
    st.dictionaries(st.one_of(st.sampled_from(BACKWARD_KEYS), st.text(max_size=3), st.integers()), inner,
                    max_size=4),
    st.fixed_dictionaries({k: inner for k in BACKWARD_KEYS})), max_leaves=8)
exceptions = st.builds(lambda kind, text: kind(text),
                       st.sampled_from([ValueError, TypeError, IndexError, KeyError, ZeroDivisionError, RuntimeError,
                                        AttributeError, AssertionError, OverflowError, MemoryError, RecursionError,
                                        StopIteration, Unprintable, np.linalg.LinAlgError]),
                       st.text(max_size=20))


def assert_graded(result):
    assert isinstance(result, CheckResult)
    assert not result.passed and result.problems and all(isinstance(p, str) and p for p in result.problems)
    assert not any("could not grade" in p for p in result.problems), result.problems   # the reading caught it


@pytest.mark.parametrize("check", CHECKERS, ids=lambda c: c.__name__)
@SETTINGS
@given(value=values)
def test_any_return_value_is_graded_never_raised(check, value):
    def learner(*args):
        return value
    assert_graded(check(learner))


@pytest.mark.parametrize("check", CHECKERS, ids=lambda c: c.__name__)
@SETTINGS
@given(value=st.one_of(values, st.just(None)))
def test_a_generator_or_a_mutating_learner_is_graded(check, value):
    def learner(*args):
        for a in args:          # scribble on the inputs: the checker's own copies must not care
            if isinstance(a, np.ndarray) and a.flags.writeable:
                a[...] = np.nan
        yield value
    assert_graded(check(learner))


@pytest.mark.parametrize("check", CHECKERS, ids=lambda c: c.__name__)
@SETTINGS
@given(exc=exceptions)
def test_any_exception_is_reported_never_raised(check, exc):
    def learner(*args):
        raise exc
    result = check(learner)
    assert_graded(result)
    # "raised ValueError: <its text>", or for a shape error the hint "raised ValueError. Its shapes do not fit: ..."
    assert re.search(rf"your function raised {type(exc).__name__}[:.] ", result.problems[0]), result.problems[0]


def test_a_shape_error_gets_the_shapes_hint():
    def learner(*args):
        raise ValueError("operands could not be broadcast together")
    result = check_cell_step(learner)
    assert not result.passed and "your function raised ValueError. Its shapes do not fit" in result.problems[0]


@pytest.mark.parametrize("check", CHECKERS, ids=lambda c: c.__name__)
@SETTINGS
@given(value=st.one_of(st.none(), st.integers(), st.text(max_size=5), st.lists(st.integers(), max_size=3)))
def test_a_non_function_is_a_type_error_naming_the_argument(check, value):
    arg = next(iter(__import__("inspect").signature(check).parameters))   # step, run, backward, predict or fn
    with pytest.raises(TypeError, match=rf"^{arg} must be a function, got {type(value).__name__}$"):
        check(value)


def test_the_issue_examples_are_graded():
    cell = check_cell_step(lambda *a: ("a", "b"))
    assert cell.problems == ["h_t must be an array of numbers, got str 'a'",
                             "c_t must be an array of numbers, got str 'b'"]
    last = check_last_step(lambda o, n: None)
    assert last.problems == ["the picked rows must be a (B, F) array, one row per sequence, got NoneType"]
