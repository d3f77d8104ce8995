"""The two squashing functions of the LSTM cell.

sigmoid(z) = 1 / (1 + exp(-z)) maps to (0, 1): a gate, "how much passes".
tanh(z) maps to (-1, 1): a value, "what passes".
"""

from __future__ import annotations

import numpy as np


def _real(z) -> np.ndarray:
    """``z`` as an array of real numbers (float32 stays float32, the rest float64); a cheap dtype check only.

    NaN is let through (NaN in, NaN out, elementwise): these run inside every step's loop.
    """
    try:
        z = np.asarray(z)
    except ValueError as exc:  # ragged lists
        raise ValueError(f"z must be an array of numbers, got {exc}") from None
    if z.dtype.kind not in "biuf":
        raise TypeError(f"z must hold real numbers, got dtype {z.dtype}")
    return z.astype(np.promote_types(z.dtype, np.float32), copy=False)  # float32 stays float32; the rest float64


def sigmoid(z: np.ndarray) -> np.ndarray:
    """Logistic sigmoid, elementwise, any shape: 1 / (1 + exp(-z)), the definition itself.

    For z below about -709 (-88 in float32) exp(-z) overflows to infinity and
    1 / (1 + inf) is exactly 0, the right limit: that overflow is expected,
    so its warning is silenced. The result is finite for any finite input.
    """
    z = _real(z)
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-z))


def tanh(z: np.ndarray) -> np.ndarray:
    """Hyperbolic tangent, elementwise, any shape (NumPy's is already stable)."""
    return np.tanh(_real(z))
