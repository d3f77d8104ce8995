"""Input checks shared by the public functions: clear ``ValueError`` messages
that name what was expected and what was given, instead of a NaN, a silent
broadcast or a trace from deep inside NumPy."""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np


def as_array(name: str, value, ndim: Sequence[int] | int | None = None) -> np.ndarray:
    """Return ``value`` as a floating NumPy array (float64 unless it is already float32).

    Raises ``ValueError`` if it is not numeric, has the wrong number of
    dimensions, or holds NaN or infinity.
    """
    try:
        arr = np.asarray(value)
    except Exception as exc:  # ragged lists and the like
        raise ValueError(f"{name} must be an array of numbers, got {type(value).__name__}: {exc}") from None
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise ValueError(f"{name} must be an array of numbers, got dtype {arr.dtype}")
    if arr.dtype != np.float32:
        arr = arr.astype(np.float64)
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            want = " or ".join(f"{d}-D" for d in allowed)
            raise ValueError(f"{name} must be {want}, got {arr.ndim}-D array of shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinity")
    return arr


def check_shape(name: str, arr: np.ndarray, expected: tuple[int, ...]) -> None:
    """Raise ``ValueError`` unless ``arr.shape == expected``."""
    if tuple(arr.shape) != tuple(expected):
        raise ValueError(f"{name} must have shape {tuple(expected)}, got {tuple(arr.shape)}")


def check_in_range(name: str, value: float, low: float, high: float) -> float:
    """Return ``value`` as a float if ``low <= value <= high``, else raise ``ValueError``."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number in [{low}, {high}], got {value!r}") from None
    if math.isnan(v) or not (low <= v <= high):
        raise ValueError(f"{name} must be in [{low}, {high}], got {v}")
    return v



def check_bool(name: str, value) -> bool:
    """Return ``value`` as a bool if it is True or False (NumPy's too); 0, 1, None and strings raise ``ValueError``."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def check_int(name: str, value, low: int = 1, high: int | None = None) -> int:
    """Return ``value`` as an int if it is an integer in [low, high] (no upper bound if ``high`` is None).

    Python and NumPy integers pass; bools, floats (even 2.0) and strings raise ``ValueError``.
    """
    span = f">= {low}" if high is None else f"in [{low}, {high}]"
    if (isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer))
            or value < low or (high is not None and value > high)):
        raise ValueError(f"{name} must be an integer {span}, got {value!r}")
    return int(value)
