"""Moving weights between torch and the NumPy LSTM: ``nn.LSTMCell`` <-> ``CellParams``, ``nn.LSTM`` <-> ``NumpyLSTM``.

The NumPy code in ``lstm_course.lstm`` never imports torch; every crossing happens here.
"""

from __future__ import annotations

import warnings

import numpy as np
import torch

from .lstm.cell import CellParams, _check_weights
from .lstm.numpy_lstm import NumpyLSTM
from .validate import as_array, check_choice, check_instance, check_shape

NUMPY_DTYPE = {torch.float64: np.float64, torch.float32: np.float32}   # the one torch <-> NumPy dtype table
TORCH_DTYPE = {np.dtype(n): t for t, n in NUMPY_DTYPE.items()}
TORCH_DTYPES = tuple(NUMPY_DTYPE)


def cell_params_from_torch(cell: torch.nn.LSTMCell) -> CellParams:
    """Copy an ``nn.LSTMCell``'s weights as float64 NumPy arrays (zeros where it has no bias).

    Returns ``CellParams`` W_ih (4H, D), W_hh (4H, H), b_ih (4H,), b_hh (4H,).
    """
    check_instance("cell", cell, torch.nn.LSTMCell, "a torch.nn.LSTMCell")
    H4 = 4 * cell.hidden_size

    def grab(name: str) -> np.ndarray:
        p = getattr(cell, name, None)
        return np.zeros(H4) if p is None else p.detach().cpu().to(torch.float64).numpy().copy()

    return CellParams(grab("weight_ih"), grab("weight_hh"), grab("bias_ih"), grab("bias_hh"))


def torch_cell_from_params(params: CellParams, dtype: torch.dtype = torch.float64) -> torch.nn.LSTMCell:
    """A new ``nn.LSTMCell`` holding ``params`` = (W_ih (4H, D), W_hh (4H, H), b_ih (4H,), b_hh (4H,)).

    ``dtype`` is torch.float64 (default) or torch.float32.
    """
    check_instance("params", params, (tuple, list), "a tuple (W_ih, W_hh, b_ih, b_hh), e.g. CellParams")
    if len(params) != 4:
        raise ValueError(f"params must be (W_ih, W_hh, b_ih, b_hh), got {len(params)} arrays")
    check_choice("dtype", dtype, TORCH_DTYPES)
    W_ih, W_hh, H, D = _check_weights(params[0], params[1])
    b_ih, b_hh = as_array("b_ih", params[2]), as_array("b_hh", params[3])
    check_shape("b_ih", b_ih, (4 * H,))
    check_shape("b_hh", b_hh, (4 * H,))
    cell = torch.nn.LSTMCell(D, H, dtype=dtype)
    with torch.no_grad():
        for name, value in zip(("weight_ih", "weight_hh", "bias_ih", "bias_hh"), (W_ih, W_hh, b_ih, b_hh)):
            getattr(cell, name).copy_(torch.from_numpy(value))   # copy_ casts to the cell's dtype
    return cell


def numpy_lstm_from_torch(module: torch.nn.LSTM) -> NumpyLSTM:
    """A ``NumpyLSTM`` holding a copy of a ``torch.nn.LSTM``'s weights (its dtype: float64 or float32).

    Every configuration is carried, ``proj_size`` and its ``weight_hr_l{k}[_reverse]`` included; dropout
    between layers is not modelled (a warning says so when the module has it).
    """
    check_instance("module", module, torch.nn.LSTM, "a torch.nn.LSTM")
    if module.dropout > 0:
        warnings.warn(f"this LSTM has dropout={module.dropout} between layers, which NumpyLSTM does not "
                      "model: outputs match torch only in eval() mode", stacklevel=2)
    if module.weight_ih_l0.dtype not in NUMPY_DTYPE:
        raise ValueError(f"the LSTM's weights must be float64 or float32, got {module.weight_ih_l0.dtype}")
    net = NumpyLSTM(module.input_size, module.hidden_size, module.num_layers, module.bias, module.batch_first,
                    module.bidirectional, module.proj_size, dtype=NUMPY_DTYPE[module.weight_ih_l0.dtype])
    for name, p in module.named_parameters():
        net.params[name] = p.detach().cpu().numpy().copy()
    return net


def numpy_lstm_to_torch(net: NumpyLSTM) -> torch.nn.LSTM:
    """A new ``torch.nn.LSTM`` with the same configuration (``proj_size`` included), dtype and weights as ``net``."""
    check_instance("net", net, NumpyLSTM)
    module = torch.nn.LSTM(net.input_size, net.hidden_size, net.num_layers, bias=net.bias,
                           batch_first=net.batch_first, bidirectional=net.bidirectional, proj_size=net.proj_size,
                           dtype=TORCH_DTYPE[net.dtype])
    with torch.no_grad():
        for name, p in module.named_parameters():
            p.copy_(torch.from_numpy(net.params[name]))
    return module
