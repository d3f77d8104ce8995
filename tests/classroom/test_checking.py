"""The skeleton every checker shares: reading a learner's answer without raising, and building the verdict."""

import numpy as np
import pytest
import torch

from lstm_course.classroom.checking import (
    LOW_TOL,
    TOL,
    CheckResult,
    Verdict,
    as_learner_array,
    call_learner,
    checker,
    close,
    describe,
    gap,
    show,
    tolerance,
    unpack,
)


class BadArray:
    """An object whose conversion to an array raises."""

    def __array__(self, dtype=None, copy=None):
        raise RuntimeError("no array here")


class BadRepr:
    def __repr__(self):
        raise RuntimeError("no repr")


# ---------------------------------------------------------------- describe

def test_describe_says_kind_and_shape_in_a_few_words():
    assert describe(None) == "NoneType"
    assert describe("abc") == "str 'abc'"
    assert describe("x" * 50) == "str 'xxxxxxxxxxxxxxxxxxxx'..."
    assert describe(np.zeros((2, 3))) == "ndarray of float64, shape (2, 3)"
    assert describe(torch.zeros(4, dtype=torch.float32)) == "Tensor of torch.float32, shape (4,)"
    assert describe({"b": 1, 2: 3}) == "dict with keys ['2', 'b']"
    assert describe([1, [2]]) == "list of length 2"
    assert describe(1.5) == "float 1.5"
    assert describe(BadRepr()) == "BadRepr"
    assert describe(x for x in ()) == "generator"


# ---------------------------------------------------------------- as_learner_array

def test_as_learner_array_reads_numbers_lists_scalars_and_tensors():
    arr, problem = as_learner_array([[1, 2], [3, 4]], "h_t", (2, 2))
    assert problem is None and arr.dtype == np.float64 and arr.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    arr, problem = as_learner_array(np.float32(0.5), "p", ())
    assert problem is None and arr.dtype == np.float32 and arr.shape == ()
    arr, problem = as_learner_array(np.array([True, False]), "mask")
    assert problem is None and arr.tolist() == [1.0, 0.0]
    arr, problem = as_learner_array(torch.ones(2, requires_grad=True) * 2, "h_t", (2,))
    assert problem is None and arr.tolist() == [2.0, 2.0] and arr.dtype == np.float32
    arr, problem = as_learner_array(torch.ones(2, dtype=torch.bfloat16), "h_t", (2,))
    assert problem is None and arr.tolist() == [1.0, 1.0]
    arr, problem = as_learner_array(np.ones(3, dtype=np.float16), "h_t")
    assert problem is None and arr.dtype == np.float32


@pytest.mark.parametrize("value, message", [
    (None, "h_t must be an array of numbers, got NoneType"),
    ("abc", "h_t must be an array of numbers, got str 'abc'"),
    ([1, [2, 3]], "h_t must be an array of numbers, got list of length 2 that NumPy cannot read as one array"),
    ({"a": 1}, "h_t must be an array of numbers, got dict with keys ['a']"),
    (object(), "h_t must be an array of numbers, got object"),
    ((x for x in range(2)), "h_t must be an array of numbers, got generator"),
    (BadArray(), "h_t must be an array of numbers, got BadArray that NumPy cannot read as one array (no array here)"),
    (np.array(["a", "b"]), "h_t must be an array of numbers, got ndarray of <U1, shape (2,)"),
    (np.array([1 + 2j, 3]), "h_t must be real numbers, got complex ones (ndarray of complex128, shape (2,))"),
    (torch.zeros(2, dtype=torch.complex64), "h_t must be real numbers, got complex ones"),
    (np.zeros(3), "h_t must have shape (2,), got (3,)"),
    (np.array([np.nan, 1.0]), "h_t holds NaN or infinity in 1 of 2 entries"),
    ([np.inf, -np.inf], "h_t holds NaN or infinity in 2 of 2 entries"),
    (10 ** 400, "h_t must be an array of numbers, got int"),
])
def test_as_learner_array_names_what_is_wrong(value, message):
    arr, problem = as_learner_array(value, "h_t", (2,))
    assert arr is None and problem.startswith(message), problem


def test_as_learner_array_checks_the_shape_before_copying_a_huge_answer():
    huge = np.broadcast_to(np.int8(1), (10 ** 6, 10 ** 6))   # a view: 10^12 entries, no memory
    arr, problem = as_learner_array(huge, "h_t", (2,))
    assert arr is None and problem == "h_t must have shape (2,), got (1000000, 1000000)"


def test_as_learner_array_uses_what_for_the_kind_expected():
    assert as_learner_array(None, "the prediction", (), what="one number")[1] == \
        "the prediction must be one number, got NoneType"


# ---------------------------------------------------------------- unpack

def test_unpack_takes_a_tuple_of_the_right_length_or_a_dict_with_the_right_keys():
    assert unpack((1, 2), ("h_t", "c_t"), "(h_t, c_t)") == ((1, 2), None)
    assert unpack(7, ("p",), "one number") == ((7,), None)
    parts, problem = unpack({"b": 2, "a": 1}, ("a", "b"), "a dict", keyed=True)
    assert parts == (1, 2) and problem is None


@pytest.mark.parametrize("out, keyed, message", [
    ((1, 2, 3), False, "return (h_t, c_t), got tuple of length 3"),
    ([1, 2], False, "return (h_t, c_t), got list of length 2"),
    (None, False, "return (h_t, c_t), got NoneType"),
    (np.zeros((2, 2)), False, "return (h_t, c_t), got ndarray of float64, shape (2, 2)"),
    ((1, 2), True, "return (h_t, c_t), got tuple of length 2"),
    ({"h_t": 1}, True, "return (h_t, c_t); your dict has keys ['h_t'], missing ['c_t']"),
    ({"h_t": 1, "c_t": 2, 3: 4}, True, "return (h_t, c_t); your dict has keys ['3', 'c_t', 'h_t'], unexpected ['3']"),
])
def test_unpack_names_the_wrong_arity_or_keys(out, keyed, message):
    parts, problem = unpack(out, ("h_t", "c_t"), "(h_t, c_t)", keyed=keyed)
    assert parts is None and problem == message


# ---------------------------------------------------------------- comparing

def test_tolerance_gap_and_show():
    assert tolerance(np.zeros(2)) == TOL and tolerance(np.zeros(2, dtype=np.float32)) == LOW_TOL
    assert gap(np.array([1.0, 2.0]), np.array([1.5, 1.0])) == 1.0
    assert gap(np.zeros(0), np.zeros(0)) == 0.0
    assert close(np.array([1.0]), np.array([1.0 + 5e-9])) and not close(np.array([1.0]), np.array([1.0 + 5e-8]))
    assert close(np.array([1.0], dtype=np.float32), np.array([1.0 + 5e-6]))
    assert not close(np.array([1.0], dtype=np.float32), np.array([1.0 + 5e-5]))
    assert show(np.array([0.123456, -1.0])) == "[0.1235, -1.0]"
    assert show(np.array([1e308, 2.5e-5])) == "[1e+308, 0.0]"


def test_verdict_compare_names_the_part_and_collects_problems():
    v = Verdict("t")
    assert v.compare("c_t", np.array([1.0]), np.array([1.0 + 1e-9]), "hint")
    assert not v.compare("c_t", np.array([1.0]), np.array([2.0]), "c_t = ...", part="forget gate f_t")
    assert v.problems == ["forget gate f_t: c_t is [1.0], expected [2.0]. Hint: c_t = ..."]
    result = v.result()
    assert isinstance(result, CheckResult) and not result.passed and result.problems == v.problems
    assert Verdict("t").result().passed


def test_verdict_turns_only_tiny_gaps_into_one_precision_note():
    v = Verdict("t")
    v.compare("a", np.array([1.0]), np.array([1.0 + 3e-7]), "")
    v.compare("b", np.array([1.0]), np.array([1.0 - 2e-7]), "")
    (note,) = v.result().problems
    assert note.startswith("every value is within 3.0e-07 of the right one") and "lower precision" in note
    v.add("something else is wrong")   # a problem not from compare: no summary, every part listed
    assert len(v.result().problems) == 3


def test_verdict_ask_calls_reads_and_hints():
    v = Verdict("t")
    got = v.ask(lambda x: (x, 2 * x), (np.ones(2),), {"h_t": (2,), "c_t": (2,)}, "(h_t, c_t)")
    assert got["c_t"].tolist() == [2.0, 2.0] and not v.problems
    v = Verdict("t")
    assert v.ask(lambda x: (x, "no"), (np.ones(3),), {"h_t": (2,), "c_t": (2,)}, "(h_t, c_t)",
                 shape_hint=lambda shapes: f"you gave {shapes['h_t']}") is None
    assert v.problems == ["h_t must have shape (2,), got (3,)", "c_t must be an array of numbers, got str 'no'. "
                          "Hint: you gave (3,)"]
    v = Verdict("t")
    assert v.ask(lambda: [][1], (), {"p": ()}, "one number", hints={IndexError: "count from 0"}) is None
    assert v.problems == ["your function raised IndexError: list index out of range. Hint: count from 0"]
    v = Verdict("t")
    assert v.ask(lambda: None, (), {"p": ()}, "one number", shape_hint=lambda s: "never shown") is None
    assert v.problems == ["p must be one number, got NoneType"]   # no shape came: no shape hint


def test_checker_refuses_non_functions_and_turns_a_grading_crash_into_a_verdict():
    @checker("demo", "fn")
    def check_demo(fn, verdict):
        """Demo."""
        fn()
        raise KeyError("a case the reading missed")

    assert list(__import__("inspect").signature(check_demo).parameters) == ["fn"]
    assert check_demo.__name__ == "check_demo" and check_demo.__doc__ == "Demo."
    with pytest.raises(TypeError, match="^fn must be a function, got int$"):
        check_demo(3)
    result = check_demo(lambda: None)
    assert not result.passed
    assert result.problems == ["the checker could not grade your answer (KeyError: 'a case the reading missed'); "
                               "check what your function returns"]


def test_checker_ignores_floating_point_warnings_from_huge_answers():
    @checker("demo", "fn")
    def check_demo(fn, verdict):
        got = verdict.ask(fn, (), {"p": (2,)}, "two numbers")
        if got is not None:
            verdict.compare("p", got["p"], np.array([-1e308, 1e308]), "")
        return verdict.result()

    result = check_demo(lambda: np.array([1e308, -1e308]))   # the difference overflows to inf
    assert not result.passed and result.problems[0].startswith("p is [1e+308, -1e+308]")


def test_a_hint_may_replace_the_exceptions_text():
    def explain(exc):
        return "the shapes are (3,) and (8, 3)" if "matmul" in str(exc) else None

    def bad_matmul(x):
        return x @ np.zeros((8, 3))

    _, failed = call_learner("t", bad_matmul, np.zeros(3), hints={ValueError: explain})
    assert failed.problems == ["your function raised ValueError. the shapes are (3,) and (8, 3)"]
    _, failed = call_learner("t", lambda x: x[7], np.zeros(3), hints={Exception: explain})
    assert failed.problems[0].startswith("your function raised IndexError: index 7") and "Hint" not in failed.problems[0]
    _, failed = call_learner("t", bad_matmul, np.zeros(3), hints={ValueError: lambda exc: 1 / 0})
    assert "raised ValueError: matmul" in failed.problems[0]   # a hint that fails leaves the exception's own text


def test_compare_shows_the_worst_entry_of_a_big_array():
    verdict = Verdict("t")
    ref = np.zeros((4, 3))
    got = ref.copy()
    got[2, 1] = 0.5
    assert not verdict.compare("dW", got, ref, hint="h")
    assert verdict.problems == ["dW is off by up to 0.5, e.g. dW[2, 1] is 0.5, expected 0.0. Hint: h"]
