"""One step of an LSTM cell in NumPy, with the names the equations use.

    i_t = sigmoid(W_ii x_t + b_ii + W_hi h_{t-1} + b_hi)      input gate
    f_t = sigmoid(W_if x_t + b_if + W_hf h_{t-1} + b_hf)      forget gate
    g_t = tanh   (W_ig x_t + b_ig + W_hg h_{t-1} + b_hg)      candidate cell state
    o_t = sigmoid(W_io x_t + b_io + W_ho h_{t-1} + b_ho)      output gate
    c_t = f_t * c_{t-1} + i_t * g_t                           cell state
    h_t = o_t * tanh(c_t)                                     hidden state

The four gates' weights are stacked in torch's order (i, f, g, o):
``W_ih`` is (4H, D), ``W_hh`` is (4H, H), and each of the two biases
``b_ih``, ``b_hh`` is (4H,), exactly as in ``torch.nn.LSTMCell``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..validate import MAX_LAYER_SIZE, as_array, check_int, check_seed, check_shape
from .activations import sigmoid, tanh



def _generator(name: str, rng) -> np.random.Generator:
    """A NumPy Generator from a Generator, a checked seed, or None."""
    if isinstance(rng, np.random.Generator):
        return rng
    return np.random.default_rng(check_seed(name, rng))


def _uniform(rng: np.random.Generator, hidden_size: int, shape) -> np.ndarray:
    """torch's initialisation of every LSTM weight: uniform in [-1/sqrt(H), 1/sqrt(H)], float64, of ``shape``."""
    k = 1.0 / np.sqrt(hidden_size)
    return rng.uniform(-k, k, shape)


class CellParams(NamedTuple):
    """The weights of one cell: W_ih (4H, D), W_hh (4H, H), b_ih (4H,), b_hh (4H,)."""

    W_ih: np.ndarray
    W_hh: np.ndarray
    b_ih: np.ndarray
    b_hh: np.ndarray


class CellCache(NamedTuple):
    """Everything one forward step computed; shapes (H,) or (B, H), x_t (D,) or (B, D)."""

    x_t: np.ndarray
    h_prev: np.ndarray
    c_prev: np.ndarray
    i_t: np.ndarray
    f_t: np.ndarray
    g_t: np.ndarray
    o_t: np.ndarray
    c_t: np.ndarray
    h_t: np.ndarray


def init_cell_params(input_size: int, hidden_size: int, rng: np.random.Generator | int | None = None) -> CellParams:
    """Random weights drawn like torch: uniform in [-1/sqrt(H), 1/sqrt(H)].

    Returns ``CellParams`` W_ih (4H, D), W_hh (4H, H), b_ih (4H,), b_hh (4H,)
    with D = ``input_size``, H = ``hidden_size``. ``rng`` is a NumPy
    ``Generator``, a seed in [0, 2**32 - 1], or None (fresh randomness).
    """
    check_int("input_size", input_size, 1, MAX_LAYER_SIZE)
    check_int("hidden_size", hidden_size, 1, MAX_LAYER_SIZE)
    rng = _generator("rng", rng)
    H4 = 4 * hidden_size
    return CellParams(*(_uniform(rng, hidden_size, shape) for shape in ((H4, input_size), (H4, hidden_size), H4, H4)))


def _check_weights(W_ih, W_hh, H: int | None = None, D: int | None = None, P: int | None = None):
    """W_ih (4H, D) and W_hh (4H, H), checked: the one home of the weight-shape check. Returns ``(W_ih, W_hh, H, D)``.

    H and D are read from the weights (W_hh's columns, W_ih's columns) unless the caller knows them
    (a backward pass knows them from its cache); both must be >= 1. ``P`` is given only by a layer
    with a projection: then h_{t-1} has P = proj_size features and W_hh is (4H, P).
    """
    W_hh = as_array("W_hh", W_hh, ndim=2)
    H = W_hh.shape[1] if H is None else H
    if H < 1:
        raise ValueError(f"W_hh must have shape (4H, H) with H >= 1, got {W_hh.shape}")
    cols, label = (H, "H") if P is None else (P, "proj_size")
    if W_hh.shape != (4 * H, cols):
        raise ValueError(f"W_hh must have shape (4H, {label}) = ({4 * H}, {cols}), got {W_hh.shape}")
    W_ih = as_array("W_ih", W_ih, ndim=2)
    if W_ih.shape[0] != 4 * H or W_ih.shape[1] < 1 or (D is not None and W_ih.shape[1] != D):
        raise ValueError(f"W_ih must have shape (4H, D) = ({4 * H}, {'D' if D is None else D}) with D >= 1, "
                         f"got {W_ih.shape}")
    return W_ih, W_hh, H, W_ih.shape[1]


def split_gates(z: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Split stacked pre-activations (..., 4H) into the four (..., H) blocks, order i, f, g, o (views, no copies)."""
    if not (isinstance(z, np.ndarray) and z.dtype.kind in "fiu"):
        z = as_array("z", z)     # lists and the like; refuses complex, text, NaN
    if z.ndim == 0 or z.shape[-1] % 4 or z.shape[-1] == 0:
        raise ValueError(f"z must have a last axis of 4H (H >= 1), got shape {z.shape}")
    H = z.shape[-1] // 4
    return z[..., :H], z[..., H:2 * H], z[..., 2 * H:3 * H], z[..., 3 * H:]   # views, no copies


def _activate(z: np.ndarray, out: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The four gates from stacked pre-activations z (..., 4H), into ``out`` (z's shape) when given.

    Returns i_t, f_t, g_t, o_t (..., H), views into ``out`` (or a new array).
    """
    split_gates(z)                                   # checks z
    out = np.empty_like(z) if out is None else out
    return _gates(_gate_major(z), out=_gate_major(out))


def _gate_major(z: np.ndarray) -> np.ndarray:
    """A view of stacked pre-activations (..., 4H) as (4, ..., H): ``_gate_major(z)[k]`` is gate k's block."""
    return np.moveaxis(z.reshape(*z.shape[:-1], 4, z.shape[-1] // 4), -2, 0)


def _gates(z: np.ndarray, out: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """i_t = sigmoid(z_i), f_t = sigmoid(z_f), g_t = tanh(z_g), o_t = sigmoid(z_o): the one home of this line.

    z (4, ..., H) the pre-activations stacked gate by gate in torch's order; ``out`` an array of z's
    shape to write into (it may be z itself). i and f are neighbours in that order, so one sigmoid call
    covers both. Returns i_t, f_t, g_t, o_t, views into ``out``.
    """
    sigmoid(z[:2], out=out[:2])     # i_t, f_t
    tanh(z[2], out=out[2])          # g_t
    sigmoid(z[3], out=out[3])       # o_t
    return out[0], out[1], out[2], out[3]


def cell_from_gates(i_t, f_t, g_t, o_t, c_prev) -> tuple[np.ndarray, np.ndarray]:
    """The cell's last two lines, from gate values that are already known (torch's order i, f, g, o).

    c_t = f_t * c_{t-1} + i_t * g_t;  h_t = o_t * tanh(c_t).
    All five inputs must have the same shape, e.g. (H,) or scalars (); returns (c_t, h_t) of that shape.
    """
    i_t, f_t, g_t, o_t, c_prev = (as_array(n, v) for n, v in
                                  (("i_t", i_t), ("f_t", f_t), ("g_t", g_t), ("o_t", o_t), ("c_prev", c_prev)))
    for name, a in (("f_t", f_t), ("g_t", g_t), ("o_t", o_t), ("c_prev", c_prev)):
        if a.shape != i_t.shape:
            raise ValueError(f"{name} must have the shape of i_t, {i_t.shape}, got {a.shape}")
    return _cell_update(i_t, f_t, g_t, o_t, c_prev)


def _cell_update(i_t, f_t, g_t, o_t, c_prev, c_out=None, m_out=None) -> tuple[np.ndarray, np.ndarray]:
    """c_t and h_t from the gates: the one home of these two lines (callers have checked the arrays).

    Written into ``c_out`` and ``m_out`` when given (a time loop's cache rows), else into new arrays.
    """
    c_t = np.multiply(f_t, c_prev, out=c_out)
    c_t += i_t * g_t                        # c_t = f_t * c_{t-1} + i_t * g_t
    h_t = tanh(c_t, out=m_out)
    h_t *= o_t                              # h_t = o_t * tanh(c_t)
    return c_t, h_t


def lstm_cell_forward(x_t, h_prev, c_prev, W_ih, W_hh, b_ih=None, b_hh=None) -> tuple[np.ndarray, np.ndarray, CellCache]:
    """One LSTM step. Returns ``(h_t, c_t, cache)``.

    Shapes: x_t (D,) or (B, D); h_prev and c_prev (H,) or (B, H), batched
    like x_t; W_ih (4H, D); W_hh (4H, H); b_ih and b_hh (4H,) or None (no bias).
    """
    W_ih, W_hh, H, D = _check_weights(W_ih, W_hh)
    x_t = as_array("x_t", x_t, ndim=(1, 2))
    batch = x_t.shape[:-1]
    check_shape("x_t", x_t, (*batch, D))
    h_prev = as_array("h_prev", h_prev)
    check_shape("h_prev", h_prev, (*batch, H))
    c_prev = as_array("c_prev", c_prev)
    check_shape("c_prev", c_prev, (*batch, H))
    z = x_t @ W_ih.T + h_prev @ W_hh.T
    for name, b in (("b_ih", b_ih), ("b_hh", b_hh)):
        if b is not None:
            b = as_array(name, b)
            check_shape(name, b, (4 * H,))
            z = z + b
    i_t, f_t, g_t, o_t = _activate(z)
    c_t, h_t = _cell_update(i_t, f_t, g_t, o_t, c_prev)
    return h_t, c_t, CellCache(x_t, h_prev, c_prev, i_t, f_t, g_t, o_t, c_t, h_t)


def gates_backward(dh_t, dc_t, cache: CellCache) -> tuple[np.ndarray, np.ndarray]:
    """Backward through the gates of one step: ``(dz, dc_prev)``.

    ``dh_t`` and ``dc_t`` are the loss gradients reaching h_t and c_t from
    later, each exactly of the shape of ``cache.h_t``, (H,) or (B, H) (no
    broadcasting); ``cache`` is the ``CellCache`` of ``lstm_cell_forward``. Returns dz, the gradient of the stacked
    pre-activation (..., 4H) in torch's order (i, f, g, o), and dc_prev:

        dc      = dc_t + dh_t * o_t * (1 - tanh(c_t)^2)   both paths into c_t
        dc_prev = dc * f_t                                the constant error carousel
        dz_i = dc * g_t * i_t (1 - i_t)     dz_f = dc * c_{t-1} * f_t (1 - f_t)
        dz_g = dc * i_t * (1 - g_t^2)       dz_o = dh_t * tanh(c_t) * o_t (1 - o_t)
    """
    _check_cache(cache)
    dh_t, dc_t = _check_grads(dh_t, dc_t, cache)
    return _gates_backward(dh_t, dc_t, cache)


def _check_cache(cache) -> None:
    if not isinstance(cache, CellCache):
        raise TypeError(f"cache must be the CellCache returned by lstm_cell_forward, got {type(cache).__name__}")


def _check_grads(dh_t, dc_t, cache: CellCache) -> tuple[np.ndarray, np.ndarray]:
    dh_t = as_array("dh_t", dh_t)
    check_shape("dh_t", dh_t, cache.h_t.shape)
    dc_t = as_array("dc_t", dc_t)
    check_shape("dc_t", dc_t, cache.c_t.shape)
    return dh_t, dc_t


def _gates_backward(dh_t, dc_t, cache: CellCache) -> tuple[np.ndarray, np.ndarray]:
    """``gates_backward`` without the checks, for callers that built the arrays themselves."""
    tanh_c = tanh(cache.c_t)
    dc = dc_t + dh_t * cache.o_t * (1.0 - tanh_c**2)
    i_t, f_t, g_t, o_t = cache.i_t, cache.f_t, cache.g_t, cache.o_t
    dz = np.concatenate([dc * g_t * i_t * (1.0 - i_t),
                         dc * cache.c_prev * f_t * (1.0 - f_t),
                         dc * i_t * (1.0 - g_t**2),
                         dh_t * tanh_c * o_t * (1.0 - o_t)], axis=-1)
    return dz, dc * f_t


def lstm_cell_backward(dh_t, dc_t, cache: CellCache, W_ih, W_hh) -> dict[str, np.ndarray]:
    """Backward of ``lstm_cell_forward``: the gradients of every input of the step.

    ``dh_t`` and ``dc_t`` have the shape of h_t, (H,) or (B, H); ``cache`` is
    what ``lstm_cell_forward`` returned; ``W_ih`` (4H, D) and ``W_hh`` (4H, H)
    are the weights it used (the cache does not hold them). Returns a dict
    with keys x_t, h_prev, c_prev (shaped like those inputs) and W_ih, W_hh,
    b_ih, b_hh (shaped like the weights; summed over the batch). The two
    biases get the same gradient: both are simply added to the pre-activation.
    """
    _check_cache(cache)
    W_ih, W_hh, H, D = _check_weights(W_ih, W_hh, cache.h_t.shape[-1], cache.x_t.shape[-1])
    dh_t, dc_t = _check_grads(dh_t, dc_t, cache)
    dz, dc_prev = _gates_backward(dh_t, dc_t, cache)
    dz_rows = dz.reshape(-1, 4 * H)  # one row per example: the weight gradients sum over the batch
    db = dz_rows.sum(axis=0)
    return {
        "x_t": dz @ W_ih,
        "h_prev": dz @ W_hh,
        "c_prev": dc_prev,
        "W_ih": dz_rows.T @ cache.x_t.reshape(-1, D),
        "W_hh": dz_rows.T @ cache.h_prev.reshape(-1, H),
        "b_ih": db,
        "b_hh": db.copy(),
    }
