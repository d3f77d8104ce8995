"""The two squashing functions of the LSTM cell.

sigmoid(z) = 1 / (1 + exp(-z)) maps to (0, 1): a gate, "how much passes".
tanh(z) maps to (-1, 1): a value, "what passes".
"""

from __future__ import annotations

import numpy as np


def sigmoid(z: np.ndarray) -> np.ndarray:
    """Logistic sigmoid, elementwise, any shape: 1 / (1 + exp(-z)), the definition itself.

    For z below about -709 (-88 in float32) exp(-z) overflows to infinity and
    1 / (1 + inf) is exactly 0, the right limit: that overflow is expected,
    so its warning is silenced. The result is finite for any finite input.
    """
    z = np.asarray(z)
    z = z.astype(np.promote_types(z.dtype, np.float32), copy=False)  # float32 stays float32; the rest float64
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-z))


def tanh(z: np.ndarray) -> np.ndarray:
    """Hyperbolic tangent, elementwise, any shape (NumPy's is already stable)."""
    return np.tanh(z)
