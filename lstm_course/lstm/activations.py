"""The two squashing functions of the LSTM cell.

sigmoid(z) = 1 / (1 + exp(-z)) maps to (0, 1): a gate, "how much passes".
tanh(z) maps to (-1, 1): a value, "what passes".
"""

from __future__ import annotations

import numpy as np


def sigmoid(z: np.ndarray) -> np.ndarray:
    """Logistic sigmoid, elementwise, any shape.

    Written with exp(-|z|), which never overflows, so it stays finite and
    warning-free for any finite input (±1e4 included).
    """
    z = np.asarray(z)
    z = z.astype(np.promote_types(z.dtype, np.float32), copy=False)  # float32 stays float32; the rest float64
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def tanh(z: np.ndarray) -> np.ndarray:
    """Hyperbolic tangent, elementwise, any shape (NumPy's is already stable)."""
    return np.tanh(z)
