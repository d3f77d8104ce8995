"""``NumpyLSTM``: a NumPy mirror of ``torch.nn.LSTM``, forward and backward, any number of layers, both directions.

One layer in one direction is ``sequence.sequence_forward`` and its
back-propagation through time ``sequence.sequence_backward``. ``NumpyLSTM``
stacks these like torch: layer l > 0 reads the outputs of layer l - 1; a
bidirectional layer runs a second set of weights (``*_reverse``) over the
reversed sequence and concatenates both outputs on the feature axis. Its
parameters are a dict with exactly the names and shapes of the torch
module's ``named_parameters()``, gates stacked in torch's order (i, f, g, o).
Copying weights to and from a torch module is ``lstm_course.interop``'s job
(this package imports NumPy only).

Not modelled: ``proj_size > 0`` (``interop.numpy_lstm_from_torch`` raises
``NotImplementedError``) and the dropout torch can apply between layers in
training mode (``numpy_lstm_from_torch`` warns if the module has it; in
``eval()`` mode torch does not apply it either, so the outputs still match).
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
from .cell import CellParams, _generator, _uniform, split_gates
from .sequence import SequenceCache, sequence_backward, sequence_forward

DTYPES = (np.float64, np.float32)


class ForwardCache(NamedTuple):
    """What ``backward`` and ``trace`` need from the last forward pass.

    caches: one ``SequenceCache`` per layer and direction (index layer * D + direction);
    unbatched: whether x was (T, input_size); out_shape and state_shape: the shapes of
    ``out`` (user layout) and of h_n, c_n as (num_layers * D, B, H).
    """

    caches: list[SequenceCache]
    unbatched: bool
    out_shape: tuple[int, ...]
    state_shape: tuple[int, int, int]


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
    out (T, B, D*H) in the same layout, h_n and c_n (num_layers*D, B, H)
    where D = 2 if bidirectional else 1. Then
    ``net.backward(d_out, d_h_n, d_c_n)`` gives the gradients of
    ``(out*d_out).sum() + (h_n*d_h_n).sum() + (c_n*d_c_n).sum()``.

    Weights are drawn like torch, uniform in [-1/sqrt(H), 1/sqrt(H)], from
    ``np.random.default_rng(seed)``; ``dtype`` is float64 (default) or float32.
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, bidirectional: bool = False, seed: int | None = None,
                 dtype=np.float64):
        self.input_size = check_int("input_size", input_size, 1, MAX_LAYER_SIZE)
        self.hidden_size = check_int("hidden_size", hidden_size, 1, MAX_LAYER_SIZE)
        self.num_layers = check_int("num_layers", num_layers, 1, MAX_LAYERS)
        self.bias = check_bool("bias", bias)
        self.batch_first = check_bool("batch_first", batch_first)
        self.bidirectional = check_bool("bidirectional", bidirectional)
        self.dtype = _float_dtype(dtype)
        self.num_directions = 2 if self.bidirectional else 1
        check_size("NumpyLSTM(input_size, hidden_size, num_layers, bidirectional)",
                   sum(int(np.prod(s)) for s in self.param_shapes().values()), MAX_PARAMETERS,
                   MAX_PARAMETERS_WHY)
        rng = _generator("seed", seed)
        self.params: dict[str, np.ndarray] = {
            name: _uniform(rng, self.hidden_size, shape).astype(self.dtype) for name, shape in self.param_shapes().items()}
        self._last: ForwardCache | None = None      # what backward and trace need from the last forward

    # ----- parameters, named like torch's named_parameters() -----

    def names(self, layer: int, direction: int) -> tuple[str, ...]:
        """The parameter names of one layer and direction: weight_ih_l0, weight_hh_l0[, bias_ih_l0, bias_hh_l0]."""
        suffix = f"_l{layer}" + ("_reverse" if direction == 1 else "")
        kinds = ("weight_ih", "weight_hh", "bias_ih", "bias_hh") if self.bias else ("weight_ih", "weight_hh")
        return tuple(kind + suffix for kind in kinds)

    def layer_input_size(self, layer: int) -> int:
        """Features read by ``layer``: input_size for layer 0, then num_directions * hidden_size."""
        return self.input_size if layer == 0 else self.num_directions * self.hidden_size

    def param_shapes(self) -> dict[str, tuple[int, ...]]:
        """Every parameter's name and shape, in the order of torch's ``named_parameters()``."""
        H4 = 4 * self.hidden_size
        shapes = {}
        for layer in range(self.num_layers):
            for direction in range(self.num_directions):
                sizes = ((H4, self.layer_input_size(layer)), (H4, self.hidden_size), (H4,), (H4,))
                shapes.update(zip(self.names(layer, direction), sizes))
        return shapes

    def cell_params(self, layer: int = 0, direction: int = 0) -> CellParams:
        """The weights of one layer and direction as the ``CellParams`` of ``lstm_cell_forward`` (zero biases if none)."""
        check_int("layer", layer, 0, self.num_layers - 1)
        check_int("direction", direction, 0, self.num_directions - 1)
        found = [self.params[n] for n in self.names(layer, direction)]
        zeros = np.zeros(4 * self.hidden_size, dtype=self.dtype)
        return CellParams(*found) if self.bias else CellParams(*found, zeros, zeros)

    def __repr__(self) -> str:
        extra = "".join(f", {k}={v}" for k, v, default in (
            ("num_layers", self.num_layers, 1), ("bias", self.bias, True), ("batch_first", self.batch_first, False),
            ("bidirectional", self.bidirectional, False)) if v != default)
        return f"NumpyLSTM({self.input_size}, {self.hidden_size}{extra})"

    # ----- forward and backward -----

    def _weights(self, layer: int, direction: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        W_ih, W_hh, b_ih, b_hh = self.cell_params(layer, direction)
        return W_ih, W_hh, b_ih + b_hh

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
        L, H = self.num_layers * self.num_directions, self.hidden_size
        state_shape = (L, H) if unbatched else (L, B, H)
        if state is None:
            h0 = c0 = np.zeros((L, B, H), dtype=self.dtype)
        else:
            if not (isinstance(state, (tuple, list)) and len(state) == 2):
                raise ValueError(f"state must be a pair (h0, c0), got {type(state).__name__}")
            h0, c0 = (as_array(n, s).astype(self.dtype, copy=False) for n, s in zip(("h0", "c0"), state))
            for name, s in (("h0", h0), ("c0", c0)):
                check_shape(name, s, state_shape)
            if unbatched:
                h0, c0 = h0[:, None, :], c0[:, None, :]
        h_n = np.empty((L, B, H), dtype=self.dtype)
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
        self._last = ForwardCache(caches, unbatched, out.shape, h_n.shape)
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
        caches, unbatched, out_shape, state_shape = self._last
        d_out = as_array("d_out", d_out)
        check_shape("d_out", d_out, out_shape)
        d_state = []
        for name, d in (("d_h_n", d_h_n), ("d_c_n", d_c_n)):
            if d is None:
                d_state.append(np.zeros(state_shape, dtype=self.dtype))
                continue
            d = as_array(name, d)
            check_shape(name, d, (state_shape[0], state_shape[2]) if unbatched else state_shape)
            d_state.append(d[:, None, :] if unbatched else d)
        d_h_n, d_c_n = (d.astype(self.dtype, copy=False) for d in d_state)
        grads: dict[str, np.ndarray] = {}
        dh0 = np.empty(state_shape, dtype=self.dtype)
        dc0 = np.empty(state_shape, dtype=self.dtype)
        H = self.hidden_size
        d_layer_out = self._time_major(d_out.astype(self.dtype, copy=False), unbatched)
        for layer in reversed(range(self.num_layers)):
            d_in = 0.0
            for direction in range(self.num_directions):
                k = layer * self.num_directions + direction
                dhs = d_layer_out[..., direction * H:(direction + 1) * H]
                W_ih, W_hh, _ = self._weights(layer, direction)
                g = sequence_backward(dhs if direction == 0 else dhs[::-1], d_h_n[k], d_c_n[k], caches[k], W_ih, W_hh)
                d_in = d_in + (g["x"] if direction == 0 else g["x"][::-1])
                dh0[k], dc0[k] = g["h0"], g["c0"]
                grads.update(zip(self.names(layer, direction), (g["W_ih"], g["W_hh"], g["b"], g["b"].copy())))
            d_layer_out = d_in
        ordered = {name: grads[name] for name in self.params}
        ordered["input"] = self._user_layout(d_layer_out, unbatched)
        ordered["h0"], ordered["c0"] = (d[:, 0] if unbatched else d for d in (dh0, dc0))
        return ordered

    def trace(self, layer: int = 0, direction: int = 0) -> dict[str, np.ndarray]:
        """The last forward's i_t, f_t, g_t, o_t, c_t, h_t for one layer and direction.

        Each is (T, B, H) in time order (also for the reverse direction),
        whatever the input layout; unbatched input gives (T, H).
        """
        if self._last is None:
            raise RuntimeError("trace needs a forward pass first: call net(x)")
        self.cell_params(layer, direction)  # checks layer and direction
        cache = self._last.caches[layer * self.num_directions + direction]
        unbatched = self._last.unbatched
        values = dict(zip(("i_t", "f_t", "g_t", "o_t"), split_gates(cache.gates)))
        values.update(c_t=cache.c[1:], h_t=cache.h[1:])
        if direction == 1:
            values = {k: v[::-1] for k, v in values.items()}
        return {k: v[:, 0] if unbatched else v for k, v in values.items()}
