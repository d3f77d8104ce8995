"""Input checks shared by every public function of the course.

Each helper checks one argument at the boundary and raises ``TypeError``
(wrong kind of thing) or ``ValueError`` (right kind, wrong value or shape)
with a message that names the argument, what was expected and what came,
instead of a NaN, a silent broadcast, minutes of work or a traceback from
deep inside NumPy or torch. This module imports NumPy only; the checks on
torch tensors and modules import torch when called.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np


def as_array(name: str, value, ndim: Sequence[int] | int | None = None) -> np.ndarray:
    """Return ``value`` as a floating NumPy array (float64 unless it is already float32).

    Raises ``ValueError`` if it is not numeric, has the wrong number of
    dimensions, or holds NaN or infinity.
    """
    arr = as_real_array(name, value)
    if arr.dtype != np.float32:
        arr = arr.astype(np.float64)   # a copy, as always: callers may keep it
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            want = " or ".join(f"{d}-D" for d in allowed)
            raise ValueError(f"{name} must be {want}, got {arr.ndim}-D array of shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinity")
    return arr


def as_real_array(name: str, value) -> np.ndarray:
    """The cheap half of ``as_array``: ``value`` as a floating NumPy array (float32 stays float32, the rest float64).

    Raises ``ValueError`` if it is not numeric (text, ragged lists) or complex; NaN and infinity pass,
    and an array already float64 or float32 is returned as it is (no copy): for code inside a time loop.
    """
    try:
        arr = np.asarray(value)
    except Exception as exc:  # ragged lists and the like
        raise ValueError(f"{name} must be an array of numbers, got {type(value).__name__}: {exc}") from None
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise ValueError(f"{name} must be an array of numbers, got dtype {arr.dtype}")
    if np.iscomplexobj(arr):
        raise ValueError(f"{name} must hold real numbers, got complex dtype {arr.dtype}")
    return arr if arr.dtype in (np.float32, np.float64) else arr.astype(np.float64)


def check_shape(name: str, arr: np.ndarray, expected: tuple[int, ...]) -> None:
    """Raise ``ValueError`` unless ``arr.shape == expected``."""
    if tuple(arr.shape) != tuple(expected):
        raise ValueError(f"{name} must have shape {tuple(expected)}, got {tuple(arr.shape)}")


def _as_real(name: str, value, span: str) -> float:
    """``value`` as a float if it is a real number (Python or NumPy, not bool); else ``TypeError``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number {span}, got {type(value).__name__} {value!r}")
    return float(value)


def check_in_range(name: str, value: float, low: float, high: float) -> float:
    """Return ``value`` as a float if it is a real number with ``low <= value <= high``.

    Python and NumPy integers and floats pass (``np.float32(2.0)`` too);
    bools, strings, complex numbers and arrays raise ``TypeError``; NaN and
    values out of range raise ``ValueError``.
    """
    v = _as_real(name, value, f"in [{low}, {high}]")
    if math.isnan(v) or not (low <= v <= high):
        raise ValueError(f"{name} must be in [{low}, {high}], got {v}")
    return v


def check_real(name: str, value: float, low: float = -math.inf, high: float = math.inf) -> float:
    """Return ``value`` as a float if it is a finite real number (in [low, high] when bounds are given)."""
    v = _as_real(name, value, "(finite)")
    if not math.isfinite(v):
        raise ValueError(f"{name} must be a finite number, got {v}")
    return check_in_range(name, v, low, high)


def check_bool(name: str, value) -> bool:
    """Return ``value`` as a bool if it is True or False (NumPy's too); 0, 1, None and strings raise ``TypeError``."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__} {value!r}")
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


SEED_MAX = 2**32 - 1


def check_seed(name: str, value) -> int | None:
    """Return a seed: None (fresh randomness) or an integer in [0, 2**32 - 1], the range NumPy and torch share."""
    if value is None:
        return None
    return check_int(name, value, 0, SEED_MAX)


def check_choice(name: str, value, choices) -> object:
    """Return ``value`` if it is one of ``choices``, else raise ``ValueError`` listing them."""
    if not any(value is c or (type(value) is type(c) and value == c) for c in choices):
        raise ValueError(f"{name} must be one of {tuple(choices)}, got {value!r}")
    return value


def check_callable(name: str, value) -> object:
    """Return ``value`` if it can be called (a function), else raise ``TypeError``."""
    if not callable(value):
        raise TypeError(f"{name} must be a function, got {type(value).__name__}")
    return value


def check_instance(name: str, value, kinds: type | tuple[type, ...], what: str | None = None) -> object:
    """Return ``value`` if it is an instance of ``kinds``, else raise ``TypeError`` naming ``what`` was expected."""
    if not isinstance(value, kinds):
        want = what or (kinds.__name__ if isinstance(kinds, type) else " or ".join(k.__name__ for k in kinds))
        raise TypeError(f"{name} must be {want}, got {type(value).__name__}")
    return value


def check_size(name: str, count: int, limit: int, why: str) -> int:
    """Raise ``ValueError`` if a derived size ``count`` exceeds ``limit``.

    ``why`` is ``"unit: reason"``, e.g. ``"entries: each costs two loss calls"``: the message reads
    "arr asks for 1,000,000 entries, more than the limit of 200,000: each costs two loss calls".
    """
    unit, _, reason = why.partition(":")
    if count > limit:
        raise ValueError(f"{name} asks for {count:,} {unit}, more than the limit of {limit:,}"
                         + (f": {reason.strip()}" if reason.strip() else ""))
    return count


def as_tensor(name: str, value, ndim: Sequence[int] | int | None = None, dtype=None):
    """Return ``value`` as a floating torch tensor (kept on its device), checked like ``as_array``.

    A tensor of a floating dtype passes as it is (``dtype`` converts it if
    given); NumPy arrays and nested lists of numbers are converted
    (float32 unless ``dtype``). Integer, complex or non-numeric data, the
    wrong number of dimensions, NaN and infinity raise ``ValueError``.
    """
    import torch

    if isinstance(value, torch.Tensor):
        if value.is_complex() or not (value.is_floating_point()):
            raise ValueError(f"{name} must be a tensor of real floating numbers, got dtype {value.dtype}")
        t = value if dtype is None else value.to(dtype)
    else:
        arr = as_array(name, value)
        t = torch.as_tensor(arr, dtype=dtype or torch.float32)
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if t.dim() not in allowed:
            want = " or ".join(f"{d}-D" for d in allowed)
            raise ValueError(f"{name} must be {want}, got {t.dim()}-D tensor of shape {tuple(t.shape)}")
    if not bool(torch.isfinite(t).all()):
        raise ValueError(f"{name} contains NaN or infinity")
    return t


MAX_PARAMETERS = 50_000_000
MAX_PARAMETERS_WHY = "parameters: a model that size does not fit this course's machines (2 cores, a few GB)"

MAX_LAYER_SIZE = 4096   # input and hidden sizes of one LSTM layer the course builds: (4H, D) weights beyond are gigabytes
MAX_LAYERS = 64         # stacked LSTM layers of one model the course builds
