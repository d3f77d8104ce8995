"""Moving weights between ``torch.nn.LSTMCell`` and the NumPy cell."""

from __future__ import annotations

import numpy as np
import torch

from .cell import CellParams


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
    """A new ``nn.LSTMCell`` holding ``params`` (gate order i, f, g, o, two biases)."""
    H4, D = np.shape(params.W_ih)
    if H4 % 4 or np.shape(params.W_hh) != (H4, H4 // 4):
        raise ValueError(f"W_hh must have shape ({H4}, {H4 // 4}) to match W_ih {np.shape(params.W_ih)}, "
                         f"got {np.shape(params.W_hh)}")
    cell = torch.nn.LSTMCell(D, H4 // 4, dtype=dtype)
    with torch.no_grad():
        for name, value in zip(("weight_ih", "weight_hh", "bias_ih", "bias_hh"), params):
            getattr(cell, name).copy_(torch.as_tensor(np.asarray(value)))
    return cell
