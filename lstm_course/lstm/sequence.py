"""One LSTM layer in one direction over a whole sequence, forward and backward (BPTT), in NumPy.

``sequence_forward`` projects the inputs of every step at once,
``Z_x = x @ W_ih.T + b_ih + b_hh`` (T, B, 4H), and keeps only the recurrent
product ``h_{t-1} @ W_hh.T`` inside the loop over time. ``sequence_backward``
walks the same steps in reverse with ``cell.gates_backward``'s equations and sums the
weight gradients in one product at the end (back-propagation through time).
Arrays are time-major; ``NumpyLSTM`` handles layouts, layers and directions.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..validate import as_array, check_instance, check_shape
from .cell import CellCache, _activate, _cell_update, _check_weights, _gates_backward, split_gates


class SequenceCache(NamedTuple):
    """One layer in one direction, time-major in the order the steps ran.

    x (T, B, D) the inputs; gates (T, B, 4H) the activated i, f, g, o;
    h and c (T + 1, B, H), with h[0], c[0] the initial state.
    """

    x: np.ndarray
    gates: np.ndarray
    h: np.ndarray
    c: np.ndarray


def sequence_forward(x: np.ndarray, h0: np.ndarray, c0: np.ndarray, W_ih: np.ndarray, W_hh: np.ndarray,
                     b: np.ndarray) -> tuple[np.ndarray, SequenceCache]:
    """Run one LSTM layer over a sequence. Returns ``(hs, cache)``, hs (T, B, H).

    x (T, B, D); h0 and c0 (B, H); W_ih (4H, D); W_hh (4H, H); b (4H,), the
    sum b_ih + b_hh (zeros without bias). Each step is the cell's equations:
    sigmoid on the i, f, o blocks of the pre-activation, tanh on the g block,
    then c_t = f_t * c_{t-1} + i_t * g_t and h_t = o_t * tanh(c_t).
    """
    x, h0, c0, W_ih, W_hh, b = _check_forward(x, h0, c0, W_ih, W_hh, b)
    T, B, _ = x.shape
    H = W_hh.shape[1]
    z_x = x @ W_ih.T + b                      # every step's input projection in one product
    W_hh_T = np.ascontiguousarray(W_hh.T)
    gates = np.empty_like(z_x)                # the activated gates, (T, B, 4H), order i, f, g, o
    h = np.empty((T + 1, B, H), dtype=x.dtype)
    c = np.empty((T + 1, B, H), dtype=x.dtype)
    h[0], c[0] = h0, c0
    for t in range(T):
        i_t, f_t, g_t, o_t = _activate(z_x[t] + h[t] @ W_hh_T, out=gates[t])   # (B, H) each, views into the cache
        c[t + 1], h[t + 1] = _cell_update(i_t, f_t, g_t, o_t, c[t])
    return h[1:], SequenceCache(x, gates, h, c)


def _check_forward(x, h0, c0, W_ih, W_hh, b):
    """The arrays of ``sequence_forward``, checked: finite, real, shapes that fit, one float dtype (x's)."""
    W_ih, W_hh, H, D = _check_weights(W_ih, W_hh)
    x = as_array("x", x, ndim=3)
    T, B, _ = x.shape
    if 0 in x.shape:
        raise ValueError(f"x must have at least one step and one sequence, got shape {x.shape}")
    check_shape("x", x, (T, B, D))
    h0, c0 = as_array("h0", h0, ndim=2), as_array("c0", c0, ndim=2)
    check_shape("h0", h0, (B, H))
    check_shape("c0", c0, (B, H))
    b = as_array("b", b, ndim=1)
    check_shape("b", b, (4 * H,))
    return tuple(a.astype(x.dtype, copy=False) for a in (x, h0, c0, W_ih, W_hh, b))


def sequence_backward(dhs: np.ndarray, dh_T: np.ndarray, dc_T: np.ndarray, cache: SequenceCache,
                      W_ih: np.ndarray, W_hh: np.ndarray) -> dict[str, np.ndarray]:
    """Back-propagation through time for one layer in one direction.

    dhs (T, B, H) is the loss gradient on each output h_t, dh_T and dc_T
    (B, H) the gradients on the final state. Returns a dict: x (T, B, D),
    h0 and c0 (B, H), W_ih (4H, D), W_hh (4H, H), b (4H,) (the gradient of
    b_ih and of b_hh alike). Inside the loop the state's gradient flows
    back one step: dh_{t-1} = dz_t @ W_hh and dc_{t-1} = dc_t * f_t.
    """
    check_instance("cache", cache, SequenceCache, "the SequenceCache returned by sequence_forward")
    T, B, D = cache.x.shape
    H = cache.h.shape[-1]
    W_ih, W_hh, H, D = _check_weights(W_ih, W_hh, H, D)
    dhs = as_array("dhs", dhs, ndim=3)
    check_shape("dhs", dhs, (T, B, H))
    dh_T, dc_T = as_array("dh_T", dh_T, ndim=2), as_array("dc_T", dc_T, ndim=2)
    check_shape("dh_T", dh_T, (B, H))
    check_shape("dc_T", dc_T, (B, H))
    dz = np.empty_like(cache.gates)
    dh, dc = dh_T, dc_T
    for t in reversed(range(T)):
        step = CellCache(cache.x[t], cache.h[t], cache.c[t], *split_gates(cache.gates[t]),
                         cache.c[t + 1], cache.h[t + 1])
        dz[t], dc = _gates_backward(dhs[t] + dh, dc, step)
        dh = dz[t] @ W_hh
    dz_rows = dz.reshape(T * B, 4 * H)       # the weights were used at every step: sum over time and batch
    return {
        "x": dz @ W_ih,
        "h0": dh,
        "c0": dc,
        "W_ih": dz_rows.T @ cache.x.reshape(T * B, D),
        "W_hh": dz_rows.T @ cache.h[:-1].reshape(T * B, H),
        "b": dz_rows.sum(axis=0),
    }
