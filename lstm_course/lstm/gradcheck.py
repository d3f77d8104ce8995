"""Checking a gradient: central finite differences and the relative error, the one copy the notebooks and tests use.

    dL/dp ~ (L(p + eps) - L(p - eps)) / (2 eps)      error shrinks like eps^2

``numeric_gradient`` nudges every entry of an array in place, calls the
loss twice, and puts the entry back; ``rel_error`` compares two gradients
relative to the reference's largest entry.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..validate import as_array, check_callable, check_real, check_shape, check_size

MAX_ENTRIES = 200_000   # two loss calls per entry: beyond this a finite-difference check takes minutes


def _loss_value(loss: Callable[[], float]) -> float:
    value = loss()
    if isinstance(value, np.ndarray) and value.size == 1:
        value = value.reshape(())[()]
    return check_real("loss()", value)


def numeric_gradient(loss: Callable[[], float], arr: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central finite differences of ``loss()`` with respect to every entry of ``arr``.

    ``loss`` takes no arguments and reads ``arr`` (a closure); ``arr`` is a
    float NumPy array of any shape, which is nudged in place entry by entry
    and restored exactly. ``eps`` is the step, in (0, 1e-2]. Returns an
    array of ``arr``'s shape and dtype: (L(p + eps) - L(p - eps)) / (2 eps).
    At most 200,000 entries (two loss calls each).
    """
    check_callable("loss", loss)
    if not isinstance(arr, np.ndarray) or arr.dtype not in (np.float64, np.float32):
        got = f"{type(arr).__name__} of dtype {arr.dtype}" if isinstance(arr, np.ndarray) else type(arr).__name__
        raise TypeError(f"arr must be a float64 or float32 NumPy array that loss reads (nudged in place), got {got}")
    if not arr.flags.writeable:
        raise ValueError("arr must be writeable: it is nudged in place and restored")
    as_array("arr", arr)   # real and finite
    check_size("arr", arr.size, MAX_ENTRIES, "entries: each costs two loss calls, and more would take minutes")
    eps = check_real("eps", eps, 0.0, 1e-2)
    if eps == 0.0:
        raise ValueError("eps must be > 0, got 0.0")
    grad = np.empty_like(arr)
    for idx in np.ndindex(arr.shape):
        keep = arr[idx]
        try:
            arr[idx] = keep + eps
            up = _loss_value(loss)
            arr[idx] = keep - eps
            down = _loss_value(loss)
        finally:
            arr[idx] = keep
        grad[idx] = (up - down) / (2 * eps)
    return grad


def rel_error(got, ref) -> float:
    """max |got - ref| / max |ref|: the error relative to the reference's largest entry.

    ``got`` and ``ref`` are arrays of one shape (any, not empty); a reference
    of zeros divides by the smallest positive float instead of 0.
    """
    got, ref = as_array("got", got), as_array("ref", ref)
    check_shape("got", got, ref.shape)
    if ref.size == 0:
        raise ValueError("ref must have at least one entry, got shape " + str(ref.shape))
    diff = float(np.abs(got.astype(np.float64) - ref.astype(np.float64)).max())
    return diff / max(float(np.abs(ref).max()), np.finfo(np.float64).tiny)
