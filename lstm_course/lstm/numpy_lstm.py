"""``NumpyLSTM``: a NumPy mirror of ``torch.nn.LSTM``, forward and backward, every configuration torch accepts.

One layer in one direction is ``sequence.sequence_forward`` and its
back-propagation through time ``sequence.sequence_backward``. ``NumpyLSTM``
stacks these like torch: layer l > 0 reads the outputs of layer l - 1; a
bidirectional layer runs a second set of weights (``*_reverse``) over the
reversed sequence and concatenates both outputs on the feature axis; with
``proj_size > 0`` each layer and direction projects its hidden state,
h_t = W_hr (o_t * tanh(c_t)) (Sak, Senior & Beaufays 2014), with one more
weight, ``weight_hr_l{k}[_reverse]`` (proj_size, hidden_size). Its
parameters are a dict with exactly the names and shapes of the torch
module's ``named_parameters()``, gates stacked in torch's order (i, f, g, o).
Copying weights to and from a torch module is ``lstm_course.interop``'s job
(this package imports NumPy only).

Every configuration of ``torch.nn.LSTM`` (input_size, hidden_size,
num_layers, bias, batch_first, bidirectional, proj_size; batched or
unbatched input; given or default state) has its mirror here. Not modelled:
the dropout torch can apply between layers in training mode
(``numpy_lstm_from_torch`` warns if the module has it; in ``eval()`` mode
torch does not apply it either, so the outputs still match).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..validate import (
    MAX_LAYER_SIZE,
    MAX_LAYERS,
    MAX_PARAMETERS,
    MAX_PARAMETERS_WHY,
    as_array,
    check_bool,
    check_int,
    check_shape,
    check_size,
)
from .cell import CellParams, _generator, _uniform
from .sequence import SequenceCache, sequence_backward, sequence_forward

DTYPES = (np.float64, np.float32)


class ForwardCache(NamedTuple):
    """What ``backward`` and ``trace`` need from the last forward pass.

    caches: one ``SequenceCache`` per layer and direction (index layer * D + direction);
    unbatched: whether x was (T, input_size); out_shape: the shape of ``out`` (user layout);
    h_shape and c_shape: those of h_n (num_layers * D, B, P) and c_n (num_layers * D, B, H),
    P = proj_size if proj_size > 0 else H.
    """

    caches: list[SequenceCache]
    unbatched: bool
    out_shape: tuple[int, ...]
    h_shape: tuple[int, int, int]
    c_shape: tuple[int, int, int]


def _check_proj_size(proj_size, hidden_size: int) -> int:
    """proj_size as an int in [0, hidden_size - 1] (torch requires proj_size < hidden_size), or a clear error."""
    if isinstance(proj_size, (int, np.integer)) and not isinstance(proj_size, (bool, np.bool_)) \
            and proj_size >= hidden_size:
        raise ValueError(f"proj_size must be smaller than hidden_size={hidden_size} (torch requires "
                         f"proj_size < hidden_size), got proj_size={proj_size}")
    return check_int("proj_size", proj_size, 0, hidden_size - 1)


def _float_dtype(dtype) -> np.dtype:
    """``dtype`` as np.float64 or np.float32, or a clear error (torch dtypes included)."""
    try:
        found = np.dtype(dtype)
    except TypeError:
        found = None
    if dtype is None or found not in DTYPES:
        raise ValueError(f"dtype must be np.float64 or np.float32, got {dtype!r}")
    return found


class NumpyLSTM:
    """``torch.nn.LSTM`` in NumPy: same arguments, parameter names, shapes, layouts and numbers.

    ``out, (h_n, c_n) = net(x, state=None)`` with x (T, B, input_size), or
    (B, T, input_size) if ``batch_first``, or (T, input_size) unbatched;
    out (T, B, D*P) in the same layout, h_n (num_layers*D, B, P) and c_n
    (num_layers*D, B, H), where D = 2 if bidirectional else 1 and
    P = proj_size if proj_size > 0 else H (the state (h0, c0) has those
    shapes too). Then ``net.backward(d_out, d_h_n, d_c_n)`` gives the gradients of
    ``(out*d_out).sum() + (h_n*d_h_n).sum() + (c_n*d_c_n).sum()``.

    ``proj_size`` is an integer in [0, hidden_size - 1], as torch requires.
    Weights are drawn like torch, uniform in [-1/sqrt(H), 1/sqrt(H)], from
    ``np.random.default_rng(seed)``; ``dtype`` is float64 (default) or float32.
    Not modelled: dropout between layers in training mode (see the module docstring).
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, bidirectional: bool = False, proj_size: int = 0,
                 seed: int | None = None, dtype=np.float64):
        self.input_size = check_int("input_size", input_size, 1, MAX_LAYER_SIZE)
        self.hidden_size = check_int("hidden_size", hidden_size, 1, MAX_LAYER_SIZE)
        self.num_layers = check_int("num_layers", num_layers, 1, MAX_LAYERS)
        self.bias = check_bool("bias", bias)
        self.batch_first = check_bool("batch_first", batch_first)
        self.bidirectional = check_bool("bidirectional", bidirectional)
        self.proj_size = _check_proj_size(proj_size, self.hidden_size)
        self.dtype = _float_dtype(dtype)
        self.num_directions = 2 if self.bidirectional else 1
        check_size("NumpyLSTM(input_size, hidden_size, num_layers, bidirectional, proj_size)",
                   sum(int(np.prod(s)) for s in self.param_shapes().values()), MAX_PARAMETERS,
                   MAX_PARAMETERS_WHY)
        rng = _generator("seed", seed)
        self.params: dict[str, np.ndarray] = {
            name: _uniform(rng, self.hidden_size, shape).astype(self.dtype) for name, shape in self.param_shapes().items()}
        self._last: ForwardCache | None = None      # what backward and trace need from the last forward

    # ----- parameters, named like torch's named_parameters() -----

    @property
    def out_size(self) -> int:
        """P, the features of h_t (and of each direction's output): proj_size if proj_size > 0, else hidden_size."""
        return self.proj_size or self.hidden_size

    def names(self, layer: int, direction: int) -> tuple[str, ...]:
        """The parameter names of one layer and direction, in torch's order:
        weight_ih_l0, weight_hh_l0[, bias_ih_l0, bias_hh_l0][, weight_hr_l0 with a projection]."""
        suffix = f"_l{layer}" + ("_reverse" if direction == 1 else "")
        kinds = ("weight_ih", "weight_hh") + (("bias_ih", "bias_hh") if self.bias else ()) + \
            (("weight_hr",) if self.proj_size else ())
        return tuple(kind + suffix for kind in kinds)

    def layer_input_size(self, layer: int) -> int:
        """Features read by ``layer``: input_size for layer 0, then num_directions * P (P = proj_size or hidden_size)."""
        return self.input_size if layer == 0 else self.num_directions * self.out_size

    def param_shapes(self) -> dict[str, tuple[int, ...]]:
        """Every parameter's name and shape, in the order of torch's ``named_parameters()``."""
        H, P = self.hidden_size, self.out_size
        shapes = {}
        for layer in range(self.num_layers):
            for direction in range(self.num_directions):
                sizes = {"weight_ih": (4 * H, self.layer_input_size(layer)), "weight_hh": (4 * H, P),
                         "bias_ih": (4 * H,), "bias_hh": (4 * H,), "weight_hr": (P, H)}
                shapes.update((name, sizes[name.split("_l")[0]]) for name in self.names(layer, direction))
        return shapes

    def cell_params(self, layer: int = 0, direction: int = 0) -> CellParams:
        """The weights of one layer and direction as the ``CellParams`` of ``lstm_cell_forward`` (zero biases if none).

        With a projection W_hh is (4H, proj_size); the projection itself is ``projection(layer, direction)``.
        """
        check_int("layer", layer, 0, self.num_layers - 1)
        check_int("direction", direction, 0, self.num_directions - 1)
        W_ih, W_hh, *biases = (self.params[n] for n in self.names(layer, direction)[:4 if self.bias else 2])
        zeros = np.zeros(4 * self.hidden_size, dtype=self.dtype)
        return CellParams(W_ih, W_hh, *(biases or (zeros, zeros)))

    def projection(self, layer: int = 0, direction: int = 0) -> np.ndarray | None:
        """W_hr (proj_size, hidden_size) of one layer and direction, h_t = W_hr m_t; None when proj_size = 0."""
        check_int("layer", layer, 0, self.num_layers - 1)
        check_int("direction", direction, 0, self.num_directions - 1)
        return self.params[self.names(layer, direction)[-1]] if self.proj_size else None

    def __repr__(self) -> str:
        extra = "".join(f", {k}={v}" for k, v, default in (
            ("num_layers", self.num_layers, 1), ("bias", self.bias, True), ("batch_first", self.batch_first, False),
            ("bidirectional", self.bidirectional, False), ("proj_size", self.proj_size, 0)) if v != default)
        return f"NumpyLSTM({self.input_size}, {self.hidden_size}{extra})"

    # ----- forward and backward -----

    def _weights(self, layer: int, direction: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
        """W_ih, W_hh, b_ih + b_hh and W_hr (None without a projection): the arguments of ``sequence_forward``."""
        W_ih, W_hh, b_ih, b_hh = self.cell_params(layer, direction)
        return W_ih, W_hh, b_ih + b_hh, self.projection(layer, direction)

    def _time_major(self, a: np.ndarray, unbatched: bool) -> np.ndarray:
        """(T, B, F) view of an array given in the module's layout."""
        if unbatched:
            return a[:, None, :]
        return a.transpose(1, 0, 2) if self.batch_first else a

    def _user_layout(self, a: np.ndarray, unbatched: bool) -> np.ndarray:
        """The inverse of ``_time_major``."""
        if unbatched:
            return a[:, 0, :]
        return a.transpose(1, 0, 2) if self.batch_first else a

    def __call__(self, x, state=None) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
        """Forward over a whole sequence; see the class docstring for shapes."""
        x = as_array("x", x, ndim=(2, 3))
        unbatched = x.ndim == 2
        layout = "(T, input_size)" if unbatched else "(B, T, input_size)" if self.batch_first else "(T, B, input_size)"
        if x.shape[-1] != self.input_size:
            raise ValueError(f"x must have shape {layout} with input_size={self.input_size}, "
                             f"got shape {x.shape} ({x.shape[-1]} features)")
        if 0 in x.shape:
            raise ValueError(f"x must have at least one step and one sequence, got shape {x.shape}")
        xs = self._time_major(x.astype(self.dtype, copy=False), unbatched)
        B = xs.shape[1]
        L, H, P = self.num_layers * self.num_directions, self.hidden_size, self.out_size
        if state is None:
            h0, c0 = np.zeros((L, B, P), dtype=self.dtype), np.zeros((L, B, H), dtype=self.dtype)
        else:
            if not (isinstance(state, (tuple, list)) and len(state) == 2):
                raise ValueError(f"state must be a pair (h0, c0), got {type(state).__name__}")
            h0, c0 = (as_array(n, s).astype(self.dtype, copy=False) for n, s in zip(("h0", "c0"), state))
            for name, s, size in (("h0", h0, P), ("c0", c0, H)):
                check_shape(name, s, (L, size) if unbatched else (L, B, size))
            if unbatched:
                h0, c0 = h0[:, None, :], c0[:, None, :]
        h_n = np.empty((L, B, P), dtype=self.dtype)
        c_n = np.empty((L, B, H), dtype=self.dtype)
        caches = []
        layer_in = xs
        for layer in range(self.num_layers):
            outs = []
            for direction in range(self.num_directions):
                k = layer * self.num_directions + direction
                seq = layer_in if direction == 0 else layer_in[::-1]
                hs, cache = sequence_forward(seq, h0[k], c0[k], *self._weights(layer, direction))
                outs.append(hs if direction == 0 else hs[::-1])
                h_n[k], c_n[k] = cache.h[-1], cache.c[-1]
                caches.append(cache)
            layer_in = outs[0] if len(outs) == 1 else np.concatenate(outs, axis=-1)
        out = self._user_layout(layer_in, unbatched)
        self._last = ForwardCache(caches, unbatched, out.shape, h_n.shape, c_n.shape)
        if unbatched:
            return out, (h_n[:, 0], c_n[:, 0])
        return out, (h_n, c_n)

    def backward(self, d_out, d_h_n=None, d_c_n=None) -> dict[str, np.ndarray]:
        """Gradients of ``(out*d_out).sum() + (h_n*d_h_n).sum() + (c_n*d_c_n).sum()`` for the last forward.

        d_out has the shape of ``out``; d_h_n and d_c_n the shape of h_n
        (None means zeros). Returns a dict keyed by every parameter name
        (as torch's ``named_parameters()``) plus "input", "h0" and "c0",
        each shaped like what it is the gradient of.
        """
        if self._last is None:
            raise RuntimeError("backward needs a forward pass first: call net(x) before net.backward(d_out)")
        caches, unbatched, out_shape, h_shape, c_shape = self._last
        d_out = as_array("d_out", d_out)
        check_shape("d_out", d_out, out_shape)
        d_state = []
        for name, d, shape in (("d_h_n", d_h_n, h_shape), ("d_c_n", d_c_n, c_shape)):
            if d is None:
                d_state.append(np.zeros(shape, dtype=self.dtype))
                continue
            d = as_array(name, d)
            check_shape(name, d, (shape[0], shape[2]) if unbatched else shape)
            d_state.append(d[:, None, :] if unbatched else d)
        d_h_n, d_c_n = (d.astype(self.dtype, copy=False) for d in d_state)
        grads: dict[str, np.ndarray] = {}
        dh0 = np.empty(h_shape, dtype=self.dtype)
        dc0 = np.empty(c_shape, dtype=self.dtype)
        P = self.out_size
        d_layer_out = self._time_major(d_out.astype(self.dtype, copy=False), unbatched)
        for layer in reversed(range(self.num_layers)):
            d_in = 0.0
            for direction in range(self.num_directions):
                k = layer * self.num_directions + direction
                dhs = d_layer_out[..., direction * P:(direction + 1) * P]
                W_ih, W_hh, _, W_hr = self._weights(layer, direction)
                g = sequence_backward(dhs if direction == 0 else dhs[::-1], d_h_n[k], d_c_n[k], caches[k],
                                      W_ih, W_hh, W_hr)
                d_in = d_in + (g["x"] if direction == 0 else g["x"][::-1])
                dh0[k], dc0[k] = g["h0"], g["c0"]
                named = {"weight_ih": g["W_ih"], "weight_hh": g["W_hh"], "bias_ih": g["b"], "bias_hh": g["b"].copy(),
                         "weight_hr": g.get("W_hr")}
                grads.update((name, named[name.split("_l")[0]]) for name in self.names(layer, direction))
            d_layer_out = d_in
        ordered = {name: grads[name] for name in self.params}
        ordered["input"] = self._user_layout(d_layer_out, unbatched)
        ordered["h0"], ordered["c0"] = (d[:, 0] if unbatched else d for d in (dh0, dc0))
        return ordered

    def trace(self, layer: int = 0, direction: int = 0) -> dict[str, np.ndarray]:
        """The last forward's i_t, f_t, g_t, o_t, c_t, h_t for one layer and direction.

        Each is (T, B, H) in time order (also for the reverse direction),
        whatever the input layout; unbatched input gives (T, H). With a
        projection h_t is (T, B, proj_size) and m_t = o_t * tanh(c_t)
        (T, B, H), the cell output before the projection, is added.
        """
        self.cell_params(layer, direction)  # checks layer and direction, before anything else
        if self._last is None:
            raise RuntimeError("trace needs a forward pass first: call net(x)")
        cache = self._last.caches[layer * self.num_directions + direction]
        unbatched = self._last.unbatched
        values = dict(zip(("i_t", "f_t", "g_t", "o_t"), cache.gates.transpose(1, 0, 2, 3)))
        values.update(c_t=cache.c[1:], h_t=cache.h[1:])
        if self.proj_size:
            values["m_t"] = cache.m
        if direction == 1:
            values = {k: v[::-1] for k, v in values.items()}
        return {k: v[:, 0] if unbatched else v for k, v in values.items()}
