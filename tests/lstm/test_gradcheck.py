"""The gradient check (lstm.gradcheck): central differences and the relative error, on functions whose gradient is known."""

import numpy as np

from lstm_course.lstm import gradcheck


def test_gradcheck_computes_what_it_says():
    w = np.array([1.0, -2.0, 3.0])
    grad = gradcheck.numeric_gradient(lambda: float((w ** 3).sum()), w)
    assert gradcheck.rel_error(grad, 3 * w ** 2) < 1e-9
    assert gradcheck.rel_error(np.zeros(2), np.zeros(2)) == 0.0
