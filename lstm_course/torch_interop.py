"""Moving weights between ``torch.nn.LSTMCell`` and the NumPy cell."""

from __future__ import annotations

import numpy as np
import torch

from .cell import CellParams
from .validate import as_array, check_shape


def cell_params_from_torch(cell: torch.nn.LSTMCell) -> CellParams:
    """Copy an ``nn.LSTMCell``'s weights as float64 NumPy arrays (zeros where it has no bias)."""
    if not isinstance(cell, torch.nn.LSTMCell):
        raise ValueError(f"expected a torch.nn.LSTMCell, got {type(cell).__name__}")
    H4 = 4 * cell.hidden_size

    def grab(name: str) -> np.ndarray:
        p = getattr(cell, name, None)
        return np.zeros(H4) if p is None else p.detach().cpu().to(torch.float64).numpy().copy()

    return CellParams(grab("weight_ih"), grab("weight_hh"), grab("bias_ih"), grab("bias_hh"))


def torch_cell_from_params(params: CellParams, dtype: torch.dtype = torch.float64) -> torch.nn.LSTMCell:
    """A new ``nn.LSTMCell`` holding ``params`` = (W_ih (4H, D), W_hh (4H, H), b_ih (4H,), b_hh (4H,))."""
    if len(params) != 4:
        raise ValueError(f"params must be (W_ih, W_hh, b_ih, b_hh), got {len(params)} arrays")
    W_ih, W_hh, b_ih, b_hh = (as_array(n, p) for n, p in zip(CellParams._fields, params))
    if W_ih.ndim != 2 or W_ih.shape[0] % 4:
        raise ValueError(f"W_ih must have shape (4H, D), got {W_ih.shape}")
    H4, D = W_ih.shape
    for name, arr, shape in (("W_hh", W_hh, (H4, H4 // 4)), ("b_ih", b_ih, (H4,)), ("b_hh", b_hh, (H4,))):
        check_shape(name, arr, shape)
    cell = torch.nn.LSTMCell(D, H4 // 4, dtype=dtype)
    with torch.no_grad():
        for name, value in zip(("weight_ih", "weight_hh", "bias_ih", "bias_hh"), (W_ih, W_hh, b_ih, b_hh)):
            getattr(cell, name).copy_(torch.from_numpy(value))
    return cell
