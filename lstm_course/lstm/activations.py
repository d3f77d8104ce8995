"""The two squashing functions of the LSTM cell.

sigmoid(z) = 1 / (1 + exp(-z)) maps to (0, 1): a gate, "how much passes".
tanh(z) maps to (-1, 1): a value, "what passes".

Both take an optional ``out`` array, so a time loop writes each gate straight
into its cache, and both skip the input check for an array that is already
float64 or float32 (the loop's own arrays): inside ``sequence_forward`` these
two functions run five times a step, and what they cost beyond the arithmetic
is what separates NumPy from torch's fused kernel.
"""

from __future__ import annotations

import numpy as np

from ..validate import as_real_array

_F64, _F32 = np.dtype(np.float64), np.dtype(np.float32)   # NumPy keeps one object per native dtype


def _real(z, out: np.ndarray | None) -> np.ndarray:
    """z as a float array (fast path for the loop's own arrays); ``out``, when given, must fit z."""
    if type(z) is not np.ndarray or (z.dtype is not _F64 and z.dtype is not _F32):   # identity: the cheapest test
        z = as_real_array("z", z)
    if out is not None and (type(out) is not np.ndarray or out.shape != z.shape or out.dtype is not z.dtype):
        raise ValueError(f"out must be a {z.dtype} array of z's shape {z.shape}, got "
                         f"{type(out).__name__} {getattr(out, 'dtype', '')} {getattr(out, 'shape', '')}".rstrip())
    return z


def sigmoid(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Logistic sigmoid, elementwise, any shape: 1 / (1 + exp(-z)), the definition itself, bit for bit.

    For z below about -709 (-88 in float32) exp(-z) overflows to infinity and
    1 / (1 + inf) is exactly 0, the right limit: that overflow is expected,
    so its warning is silenced. The result is finite for any finite input;
    NaN in, NaN out. Written into ``out`` (z's shape and dtype) when given;
    float32 stays float32, everything else is computed in float64.
    """
    z = _real(z, out)
    s = np.empty_like(z) if out is None else out     # z itself is never changed
    with np.errstate(over="ignore"):
        np.exp(np.negative(z, out=s), out=s)
    s += 1.0
    np.reciprocal(s, out=s)
    return s if s.ndim else s[()]                    # a number in, a NumPy number out


def tanh(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Hyperbolic tangent, elementwise, any shape (NumPy's, already stable); into ``out`` when given."""
    return np.tanh(_real(z, out), out=out)
