"""One LSTM layer in one direction over a whole sequence, forward and backward (BPTT), in NumPy.

``sequence_forward`` projects the inputs of every step at once,
``Z_x = x @ W_ih.T + b_ih + b_hh`` (T, B, 4H), and keeps only the recurrent
product ``h_{t-1} @ W_hh.T`` inside the loop over time. ``sequence_backward``
walks the same steps in reverse with ``cell.gates_backward`` and sums the
weight gradients in one product at the end (back-propagation through time).
Arrays are time-major; ``NumpyLSTM`` handles layouts, layers and directions.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .activations import tanh
from .cell import CellCache, gates_backward, split_gates


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
    sum b_ih + b_hh (zeros without bias). All arrays share one float dtype;
    the caller (``NumpyLSTM``) has checked the shapes.

    The four gates go through a single ``tanh`` call per step, using
    sigmoid(z) = (1 + tanh(z / 2)) / 2: with s = 1/2 on the i, f, o blocks
    and s = 1 on the g block, ``s * tanh(s * z) + (1 - s)`` is sigmoid for
    i_t, f_t, o_t and tanh for g_t. Halving is exact in floating point and
    tanh never overflows, so this is the same function, evaluated faster.
    """
    T, B, _ = x.shape
    H = W_hh.shape[1]
    s = np.repeat(np.array([0.5, 0.5, 1.0, 0.5], dtype=x.dtype), H)   # blocks i, f, g, o
    z_x = x @ W_ih.T + b                      # every step's input projection in one product
    W_hh_T = np.ascontiguousarray(W_hh.T)
    gates = np.empty_like(z_x)
    h = np.empty((T + 1, B, H), dtype=x.dtype)
    c = np.empty((T + 1, B, H), dtype=x.dtype)
    h[0], c[0] = h0, c0
    for t in range(T):
        z = z_x[t] + h[t] @ W_hh_T            # (B, 4H), torch's order i, f, g, o
        a = gates[t]
        a[:] = s * tanh(s * z) + (1 - s)      # sigmoid on i, f, o; tanh on g
        i_t, f_t, g_t, o_t = split_gates(a)
        c[t + 1] = f_t * c[t] + i_t * g_t
        h[t + 1] = o_t * tanh(c[t + 1])
    return h[1:], SequenceCache(x, gates, h, c)


def sequence_backward(dhs: np.ndarray, dh_T: np.ndarray, dc_T: np.ndarray, cache: SequenceCache,
                      W_ih: np.ndarray, W_hh: np.ndarray) -> dict[str, np.ndarray]:
    """Back-propagation through time for one layer in one direction.

    dhs (T, B, H) is the loss gradient on each output h_t, dh_T and dc_T
    (B, H) the gradients on the final state. Returns a dict: x (T, B, D),
    h0 and c0 (B, H), W_ih (4H, D), W_hh (4H, H), b (4H,) (the gradient of
    b_ih and of b_hh alike). Inside the loop the state's gradient flows
    back one step: dh_{t-1} = dz_t @ W_hh and dc_{t-1} = dc_t * f_t.
    """
    T, B, D = cache.x.shape
    H = W_hh.shape[1]
    dz = np.empty_like(cache.gates)
    dh, dc = dh_T, dc_T
    for t in reversed(range(T)):
        step = CellCache(cache.x[t], cache.h[t], cache.c[t], *split_gates(cache.gates[t]),
                         cache.c[t + 1], cache.h[t + 1])
        dz[t], dc = gates_backward(dhs[t] + dh, dc, step)
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
