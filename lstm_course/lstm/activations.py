"""The two squashing functions of the LSTM cell.

sigmoid(z) = 1 / (1 + exp(-z)) maps to (0, 1): a gate, "how much passes".
tanh(z) maps to (-1, 1): a value, "what passes".
"""

from __future__ import annotations

import numpy as np

from ..validate import as_real_array


def sigmoid(z: np.ndarray) -> np.ndarray:
    """Logistic sigmoid, elementwise, any shape: 1 / (1 + exp(-z)), the definition itself.

    For z below about -709 (-88 in float32) exp(-z) overflows to infinity and
    1 / (1 + inf) is exactly 0, the right limit: that overflow is expected,
    so its warning is silenced. The result is finite for any finite input.
    """
    z = as_real_array("z", z)   # NaN in, NaN out: no finiteness scan inside every step's loop
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-z))


def tanh(z: np.ndarray) -> np.ndarray:
    """Hyperbolic tangent, elementwise, any shape (NumPy's is already stable)."""
    return np.tanh(as_real_array("z", z))
