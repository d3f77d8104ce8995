"""How large a finite-difference step to take (notebook 03), measured.

A central difference (L(p + eps) - L(p - eps)) / (2 eps) has two errors:

- truncation, from the Taylor terms it drops: about eps^2 |L'''| / 6,
  shrinking as eps does;
- round-off, from subtracting two nearly equal floats: about
  machine-eps |L| / eps (machine-eps = 2.2e-16 in float64), growing as eps
  shrinks.

Their sum is smallest near eps ~ (machine-eps)^(1/3) ~ 1e-5, and ~1e-6 is
the usual choice. ``epsilon_sweep`` measures the relative error of
``lstm.gradcheck.numeric_gradient`` against an analytic gradient for a
range of steps, so the notebook can show the V-shaped curve.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from ..lstm.gradcheck import numeric_gradient, rel_error
from ..validate import as_array, check_callable, check_real, check_shape, check_size

EPSILONS = tuple(10.0 ** -k for k in range(2, 13))   # 1e-2 ... 1e-12: numeric_gradient takes steps up to 1e-2
MAX_STEPS = 64                                      # each step is a full finite-difference gradient


def epsilon_sweep(loss: Callable[[], float], arr: np.ndarray, analytic,
                  epsilons: Sequence[float] = EPSILONS) -> np.ndarray:
    """Relative error of the central-difference gradient against ``analytic``, one per step in ``epsilons``.

    ``loss`` takes no arguments and reads ``arr`` (a float NumPy array it
    closes over, nudged in place and restored by ``numeric_gradient``);
    ``analytic`` is the exact gradient, of ``arr``'s shape. ``epsilons`` is
    a sequence of steps in (0, 1e-2] (at most 64). Returns (len(epsilons),)
    with ``rel_error(numeric_gradient(loss, arr, eps), analytic)``.
    """
    check_callable("loss", loss)
    if not isinstance(arr, np.ndarray):
        raise TypeError(f"arr must be a float NumPy array that loss reads, got {type(arr).__name__}")
    analytic = as_array("analytic", analytic)
    check_shape("analytic", analytic, arr.shape)
    if isinstance(epsilons, (str, bytes)) or not isinstance(epsilons, Sequence):
        raise TypeError(f"epsilons must be a sequence of steps in (0, 1e-2], got {type(epsilons).__name__}")
    if len(epsilons) == 0:
        raise ValueError("epsilons must hold at least one step, got an empty sequence")
    check_size("epsilons", len(epsilons), MAX_STEPS, "steps: each is a full finite-difference gradient")
    steps = [check_real(f"epsilons[{n}]", eps, 0.0, 1e-2) for n, eps in enumerate(epsilons)]
    for n, eps in enumerate(steps):
        if eps == 0.0:
            raise ValueError(f"epsilons[{n}] must be > 0, got 0.0")
    return np.array([rel_error(numeric_gradient(loss, arr, eps), analytic) for eps in steps])
