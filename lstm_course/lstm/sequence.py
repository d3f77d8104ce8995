"""One LSTM layer in one direction over a whole sequence, forward and backward (BPTT), in NumPy.

``sequence_forward`` projects the inputs of every step at once,
``Z_x = x @ W_ih.T + b_ih + b_hh`` (T, B, 4H), and keeps only the recurrent
product ``h_{t-1} @ W_hh.T`` inside the loop over time. ``sequence_backward``
walks the same steps in reverse with ``cell.gates_backward``'s equations and sums the
weight gradients in one product at the end (back-propagation through time).
Arrays are time-major; ``NumpyLSTM`` handles layouts, layers and directions.

With a projection (Sak, Senior & Beaufays 2014; torch's ``proj_size > 0``) the
cell's output m_t = o_t * tanh(c_t) (H features) is one matrix away from the
hidden state, h_t = W_hr m_t (P = proj_size features, P < H): h_t is what the
layer outputs and what the next step's W_hh (4H, P) reads; c_t keeps H.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..validate import as_array, check_instance, check_shape
from .cell import CellCache, _cell_update, _gates, _check_weights, _gates_backward


class SequenceCache(NamedTuple):
    """One layer in one direction, time-major in the order the steps ran.

    x (T, B, D) the inputs; gates (T, 4, B, H) the activated i, f, g, o, gate by gate
    (``i_t, f_t, g_t, o_t = gates[t]``);
    h (T + 1, B, P) and c (T + 1, B, H), with h[0], c[0] the initial state;
    m (T, B, H) the cell outputs o_t * tanh(c_t). Without a projection P = H
    and h_t = m_t: ``m`` is ``h[1:]`` itself (the same memory, no copy).
    """

    x: np.ndarray
    gates: np.ndarray
    h: np.ndarray
    c: np.ndarray
    m: np.ndarray


def project(m_t: np.ndarray, W_hr: np.ndarray) -> np.ndarray:
    """The projection of an LSTM with ``proj_size`` (Sak et al. 2014): h_t = W_hr m_t, (..., H) -> (..., P)."""
    return m_t @ W_hr.T


def sequence_forward(x: np.ndarray, h0: np.ndarray, c0: np.ndarray, W_ih: np.ndarray, W_hh: np.ndarray,
                     b: np.ndarray, W_hr: np.ndarray | None = None) -> tuple[np.ndarray, SequenceCache]:
    """Run one LSTM layer over a sequence. Returns ``(hs, cache)``, hs (T, B, P).

    x (T, B, D); h0 (B, P) and c0 (B, H); W_ih (4H, D); W_hh (4H, P); b (4H,),
    the sum b_ih + b_hh (zeros without bias); W_hr (P, H) the projection, or
    None (no projection: P = H). Each step is the cell's equations:
    sigmoid on the i, f, o blocks of the pre-activation, tanh on the g block,
    then c_t = f_t * c_{t-1} + i_t * g_t and m_t = o_t * tanh(c_t); h_t = m_t,
    or h_t = W_hr m_t with a projection.
    """
    x, h0, c0, W_ih, W_hh, b, W_hr = _check_forward(x, h0, c0, W_ih, W_hh, b, W_hr)
    T, B, _ = x.shape
    H, P = W_hh.shape[0] // 4, W_hh.shape[1]
    # The four gates are kept gate by gate: gates[t] is (4, B, H) and gates[t, 0] is i_t, one contiguous
    # (B, H) block, so each activation below runs on contiguous memory, not on a column slice of (B, 4H).
    # Every step's input part at once, W_ih x_t + b, written straight into that layout: x (T, 1, B, D) times
    # one (D, H) matrix per gate gives (T, 4, B, H) with no transposed copy of a (T, B, 4H) product.
    gates = np.matmul(x[:, None], _per_gate(W_ih))
    gates += b.reshape(4, 1, H)
    W_hh_gates = _per_gate(W_hh)                         # (4, P, H)
    h = np.empty((T + 1, B, P), dtype=x.dtype)
    c = np.empty((T + 1, B, H), dtype=x.dtype)
    m = h[1:] if W_hr is None else np.empty((T, B, H), dtype=x.dtype)   # no projection: h_t is m_t itself
    z_h = np.empty((4, B, H), dtype=x.dtype)            # W_hh h_{t-1}, gate by gate, reused every step
    h[0], c[0] = h0, c0
    for t in range(T):
        z_t = gates[t]                                  # a view: what is written into it stays in the cache
        z_t += np.matmul(h[t], W_hh_gates, out=z_h)     # z_t = W_ih x_t + b + W_hh h_{t-1}, (4, B, H)
        i_t, f_t, g_t, o_t = _gates(z_t, out=z_t)       # (B, H) each, activated in place
        _cell_update(i_t, f_t, g_t, o_t, c[t], c_out=c[t + 1], m_out=m[t])
        if W_hr is not None:
            h[t + 1] = project(m[t], W_hr)
    return h[1:], SequenceCache(x, gates, h, c, m)


def _per_gate(W: np.ndarray) -> np.ndarray:
    """A stacked weight (4H, F) as one (F, H) matrix per gate, (4, F, H), contiguous: ``v @ W[k]`` is gate k's part."""
    four_H, F = W.shape
    return W.reshape(4, four_H // 4, F).transpose(0, 2, 1).copy()


def _check_projection(W_hr, H: int | None = None):
    """W_hr (P, H) with 1 <= P < H, checked (H from W_hr unless known). Returns ``(W_hr, H, P)``; P is None without W_hr."""
    if W_hr is None:
        return None, H, None
    W_hr = as_array("W_hr", W_hr, ndim=2)
    P, cols = W_hr.shape
    H = cols if H is None else H
    if cols != H or not 1 <= P < H:
        raise ValueError(f"W_hr must have shape (proj_size, H) with 1 <= proj_size < H = {H}, got {W_hr.shape}")
    return W_hr, H, P


def _check_forward(x, h0, c0, W_ih, W_hh, b, W_hr):
    """The arrays of ``sequence_forward``, checked: finite, real, shapes that fit, one float dtype (x's)."""
    W_hr, H, P = _check_projection(W_hr)
    W_ih, W_hh, H, D = _check_weights(W_ih, W_hh, H, P=P)
    P = H if P is None else P
    x = as_array("x", x, ndim=3)
    T, B, _ = x.shape
    if 0 in x.shape:
        raise ValueError(f"x must have at least one step and one sequence, got shape {x.shape}")
    check_shape("x", x, (T, B, D))
    h0, c0 = as_array("h0", h0, ndim=2), as_array("c0", c0, ndim=2)
    check_shape("h0", h0, (B, P))
    check_shape("c0", c0, (B, H))
    b = as_array("b", b, ndim=1)
    check_shape("b", b, (4 * H,))
    arrays = tuple(a.astype(x.dtype, copy=False) for a in (x, h0, c0, W_ih, W_hh, b))
    return (*arrays, None if W_hr is None else W_hr.astype(x.dtype, copy=False))


def sequence_backward(dhs: np.ndarray, dh_T: np.ndarray, dc_T: np.ndarray, cache: SequenceCache,
                      W_ih: np.ndarray, W_hh: np.ndarray, W_hr: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Back-propagation through time for one layer in one direction.

    dhs (T, B, P) is the loss gradient on each output h_t, dh_T (B, P) and
    dc_T (B, H) the gradients on the final state; W_hr is the projection
    ``sequence_forward`` used (None if none, P = H). Returns a dict: x (T, B, D),
    h0 (B, P), c0 (B, H), W_ih (4H, D), W_hh (4H, P), b (4H,) (the gradient of
    b_ih and of b_hh alike) and, with a projection, W_hr (P, H). Inside the
    loop the state's gradient flows back one step: dh_{t-1} = dz_t @ W_hh and
    dc_{t-1} = dc_t * f_t; a projection first takes dh_t back to dm_t = dh_t @ W_hr.
    """
    check_instance("cache", cache, SequenceCache, "the SequenceCache returned by sequence_forward")
    T, B, D = cache.x.shape
    H, P = cache.c.shape[-1], cache.h.shape[-1]
    if (W_hr is None) != (P == H):
        expected = "None" if P == H else f"the ({P}, {H}) projection"
        raise ValueError(f"W_hr must be {expected} that sequence_forward used (this cache's h has {P} features, "
                         f"c has {H}), got {'None' if W_hr is None else type(W_hr).__name__}")
    W_hr, _, _ = _check_projection(W_hr, H)
    W_ih, W_hh, H, D = _check_weights(W_ih, W_hh, H, D, None if W_hr is None else P)
    if W_hr is not None:
        check_shape("W_hr", W_hr, (P, H))
    dhs = as_array("dhs", dhs, ndim=3)
    check_shape("dhs", dhs, (T, B, P))
    dh_T, dc_T = as_array("dh_T", dh_T, ndim=2), as_array("dc_T", dc_T, ndim=2)
    check_shape("dh_T", dh_T, (B, P))
    check_shape("dc_T", dc_T, (B, H))
    dz = np.empty((T, B, 4 * H), dtype=cache.gates.dtype)   # stacked like the weights: (T, B, 4H)
    dh_all = None if W_hr is None else np.empty_like(dhs)   # every step's dh_t, for W_hr's gradient
    dh, dc = dh_T, dc_T
    for t in reversed(range(T)):
        step = CellCache(cache.x[t], cache.h[t], cache.c[t], *cache.gates[t],
                         cache.c[t + 1], cache.m[t])
        dh_t = dhs[t] + dh                    # from the output and from step t + 1
        if W_hr is None:
            dm_t = dh_t
        else:
            dh_all[t] = dh_t
            dm_t = dh_t @ W_hr                # back through the projection h_t = W_hr m_t
        dz[t], dc = _gates_backward(dm_t, dc, step)
        dh = dz[t] @ W_hh
    dz_rows = dz.reshape(T * B, 4 * H)       # the weights were used at every step: sum over time and batch
    grads = {
        "x": dz @ W_ih,
        "h0": dh,
        "c0": dc,
        "W_ih": dz_rows.T @ cache.x.reshape(T * B, D),
        "W_hh": dz_rows.T @ cache.h[:-1].reshape(T * B, P),
        "b": dz_rows.sum(axis=0),
    }
    if W_hr is not None:
        grads["W_hr"] = dh_all.reshape(T * B, P).T @ cache.m.reshape(T * B, H)
    return grads
