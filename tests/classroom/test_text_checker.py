"""Notebook 09's checker: the nesting depth of every character passes the reference and names each usual slip."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from lstm_course.classroom.checkers import NESTING_PROBE, check_nesting_depth
from lstm_course.classroom.checking import CheckResult
from lstm_course.topics.char_lstm import nesting_depth


def counted(opening="([", closing=")]", quotes=True, quote_ends=True, closes=True, before=False, offset=0, sign=1):
    """A learner's depth function with one slip switched on by the arguments (written apart from the checker's)."""
    def depth(text):
        out, d, quoted = [], 0, False
        for ch in text:
            before_d = d
            if ch == '"' and quotes:
                quoted = (not quoted) if quote_ends else True
            elif not quoted and ch in opening:
                d += 1
            elif not quoted and ch in closing and closes:
                d -= 1
            out.append(sign * (before_d if before else d) + offset)
        return np.array(out, dtype=float)
    return depth


def stub(text):
    raise NotImplementedError


def test_the_reference_and_a_correct_learner_pass():
    assert check_nesting_depth(nesting_depth)
    assert check_nesting_depth(counted())
    assert check_nesting_depth(lambda text: [int(d) for d in counted()(text)])   # a list of ints is fine


WRONG = {
    "stub": (stub, "not written yet"),
    "raises": (lambda text: text.count(1), "your function raised TypeError"),
    "returns None": (lambda text: None, "must be an array of"),
    "too short": (lambda text: nesting_depth(text)[:-1], f"must have shape ({len(NESTING_PROBE)},)"),
    "text": (lambda text: "0" * len(text), "must be an array of"),
    "NaN": (lambda text: np.full(len(text), np.nan), "NaN or infinity"),
    "before the character": (counted(before=True), "off by one: you gave the depth before each character"),
    "starts at 1": (counted(offset=1), "all 1 too high"),
    "sign swapped": (counted(sign=-1), "opening and closing are swapped"),
    "quotes ignored": (counted(quotes=False), "brackets inside string literals"),
    "quote never ends": (counted(quote_ends=False), "a second '\"' must end the string"),
    "round only": (counted("(", ")"), "only round brackets"),
    "square only": (counted("[", "]"), "only square brackets"),
    "never closes": (counted(closes=False), "your depth never goes down"),
    "other": (lambda text: nesting_depth(text) * (np.arange(len(text)) != 5),
              f"at character 5 ({NESTING_PROBE[5]!r}"),
}


@pytest.mark.parametrize("name", WRONG)
def test_each_wrong_answer_is_named(name):
    fn, expected = WRONG[name]
    result = check_nesting_depth(fn)
    assert not result and len(result.problems) == 1, (name, str(result))
    assert expected in result.problems[0], (name, result.problems)


def test_every_slip_differs_on_the_probe():
    answers = [tuple(counted(**kw)(NESTING_PROBE)) for kw in (
        {}, {"before": True}, {"offset": 1}, {"sign": -1}, {"quotes": False}, {"quote_ends": False},
        {"opening": "(", "closing": ")"}, {"opening": "[", "closing": "]"}, {"closes": False})]
    assert len(set(answers)) == len(answers)


def test_a_non_function_is_refused_by_name():
    with pytest.raises(TypeError, match="fn"):
        check_nesting_depth("nesting_depth")


answers = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True), st.complex_numbers(),
    st.text(max_size=30), st.lists(st.one_of(st.integers(-3, 3), st.text(max_size=2)), max_size=30),
    hnp.arrays(dtype=st.one_of(hnp.floating_dtypes(), hnp.integer_dtypes(), hnp.complex_number_dtypes(),
                               hnp.boolean_dtypes(), hnp.unicode_string_dtypes(max_len=2)),
               shape=st.sampled_from([(), (len(NESTING_PROBE),), (len(NESTING_PROBE), 1), (3,)])))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answers)
def test_whatever_the_function_returns_the_verdict_says_what_is_wrong(answer):
    result = check_nesting_depth(lambda text: answer)
    assert isinstance(result, CheckResult)
    if result.passed:                                       # only the right answer, drawn by chance, may pass
        assert np.array_equal(np.asarray(answer, dtype=float), nesting_depth(NESTING_PROBE))
    else:
        assert result.problems and "could not grade" not in str(result), str(result)
