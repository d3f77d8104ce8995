"""The gradient check (lstm.gradcheck): central differences and the relative error, on functions whose gradient is known."""

import numpy as np
import pytest

from lstm_course.lstm import gradcheck


def test_gradcheck_computes_what_it_says():
    w = np.array([1.0, -2.0, 3.0])
    grad = gradcheck.numeric_gradient(lambda: float((w ** 3).sum()), w)
    assert gradcheck.rel_error(grad, 3 * w ** 2) < 1e-9
    assert gradcheck.rel_error(np.zeros(2), np.zeros(2)) == 0.0


@pytest.mark.parametrize("value, error, message", [
    ("1.0", TypeError, r"^loss\(\) must be a real number"),
    (np.zeros(2), TypeError, r"^loss\(\) must be a real number"),
    (float("nan"), ValueError, r"^loss\(\) must be a finite number"),
])
def test_numeric_gradient_refuses_a_loss_that_returns_no_real_number(value, error, message):
    with pytest.raises(error, match=message):
        gradcheck.numeric_gradient(lambda: value, np.ones(2))
