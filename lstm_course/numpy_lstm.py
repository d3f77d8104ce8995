"""A NumPy mirror of ``torch.nn.LSTM``: forward and backward, any number of layers, both directions.

One layer in one direction is ``sequence_forward``: the inputs of every
step are projected at once, ``Z_x = x @ W_ih.T + b_ih + b_hh`` (T, B, 4H),
and only the recurrent product ``h_{t-1} @ W_hh.T`` stays inside the loop
over time. ``sequence_backward`` walks the same steps in reverse with
``cell.gates_backward`` and sums the weight gradients in one product at
the end (back-propagation through time).

``NumpyLSTM`` stacks these like torch: layer l > 0 reads the outputs of
layer l - 1; a bidirectional layer runs a second set of weights
(``*_reverse``) over the reversed sequence and concatenates both outputs
on the feature axis. Its parameters are a dict with exactly the names and
shapes of the torch module's ``named_parameters()``, gates stacked in
torch's order (i, f, g, o).

Not modelled: ``proj_size > 0`` (raises ``NotImplementedError``) and the
dropout torch can apply between layers in training mode (``from_torch``
warns if the module has it; in ``eval()`` mode torch does not apply it
either, so the outputs still match).
"""

from __future__ import annotations

import warnings
from typing import NamedTuple

import numpy as np

from .activations import tanh
from .cell import CellCache, CellParams, gates_backward, split_gates
from .validate import as_array, check_bool, check_int, check_shape

DTYPES = (np.float64, np.float32)


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
        self.input_size = check_int("input_size", input_size)
        self.hidden_size = check_int("hidden_size", hidden_size)
        self.num_layers = check_int("num_layers", num_layers)
        self.bias = check_bool("bias", bias)
        self.batch_first = check_bool("batch_first", batch_first)
        self.bidirectional = check_bool("bidirectional", bidirectional)
        if np.dtype(dtype) not in DTYPES:
            raise ValueError(f"dtype must be float64 or float32, got {np.dtype(dtype)}")
        self.dtype = np.dtype(dtype)
        self.num_directions = 2 if self.bidirectional else 1
        rng = np.random.default_rng(seed)
        k = 1.0 / np.sqrt(self.hidden_size)
        self.params: dict[str, np.ndarray] = {
            name: rng.uniform(-k, k, shape).astype(self.dtype) for name, shape in self.param_shapes().items()}
        self._last: tuple | None = None      # what backward needs from the last forward

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
        if not (0 <= layer < self.num_layers and 0 <= direction < self.num_directions):
            raise ValueError(f"layer must be in [0, {self.num_layers - 1}] and direction in "
                             f"[0, {self.num_directions - 1}], got layer={layer}, direction={direction}")
        found = [self.params[n] for n in self.names(layer, direction)]
        zeros = np.zeros(4 * self.hidden_size, dtype=self.dtype)
        return CellParams(*found) if self.bias else CellParams(*found, zeros, zeros)

    def __repr__(self) -> str:
        extra = "".join(f", {k}={v}" for k, v, default in (
            ("num_layers", self.num_layers, 1), ("bias", self.bias, True), ("batch_first", self.batch_first, False),
            ("bidirectional", self.bidirectional, False)) if v != default)
        return f"NumpyLSTM({self.input_size}, {self.hidden_size}{extra})"

    # ----- moving weights to and from torch -----

    @classmethod
    def from_torch(cls, module) -> NumpyLSTM:
        """A ``NumpyLSTM`` holding a copy of a ``torch.nn.LSTM``'s weights (its dtype: float64 or float32)."""
        import torch

        if not isinstance(module, torch.nn.LSTM):
            raise ValueError(f"expected a torch.nn.LSTM, got {type(module).__name__}")
        if module.proj_size > 0:
            raise NotImplementedError(f"NumpyLSTM does not model projections: this LSTM has proj_size="
                                      f"{module.proj_size}; only proj_size=0 is supported")
        if module.dropout > 0:
            warnings.warn(f"this LSTM has dropout={module.dropout} between layers, which NumpyLSTM does not "
                          "model: outputs match torch only in eval() mode", stacklevel=2)
        dtypes = {torch.float64: np.float64, torch.float32: np.float32}
        if module.weight_ih_l0.dtype not in dtypes:
            raise ValueError(f"the LSTM's weights must be float64 or float32, got {module.weight_ih_l0.dtype}")
        net = cls(module.input_size, module.hidden_size, module.num_layers, module.bias, module.batch_first,
                  module.bidirectional, dtype=dtypes[module.weight_ih_l0.dtype])
        for name, p in module.named_parameters():
            net.params[name] = p.detach().cpu().numpy().copy()
        return net

    def to_torch(self):
        """A new ``torch.nn.LSTM`` with the same configuration, dtype and weights."""
        import torch

        module = torch.nn.LSTM(self.input_size, self.hidden_size, self.num_layers, bias=self.bias,
                               batch_first=self.batch_first, bidirectional=self.bidirectional,
                               dtype=torch.float64 if self.dtype == np.float64 else torch.float32)
        with torch.no_grad():
            for name, p in module.named_parameters():
                p.copy_(torch.from_numpy(self.params[name]))
        return module

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
        T, B, _ = xs.shape
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
        self._last = (caches, unbatched, out.shape, h_n.shape)
        if unbatched:
            return out, (h_n[:, 0], c_n[:, 0])
        return out, (h_n, c_n)

    forward = __call__

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
        caches, unbatched = self._last[:2]
        cache = caches[layer * self.num_directions + direction]
        values = dict(zip(("i_t", "f_t", "g_t", "o_t"), split_gates(cache.gates)))
        values.update(c_t=cache.c[1:], h_t=cache.h[1:])
        if direction == 1:
            values = {k: v[::-1] for k, v in values.items()}
        return {k: v[:, 0] if unbatched else v for k, v in values.items()}
