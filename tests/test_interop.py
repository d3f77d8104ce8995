"""Moving weights between torch and NumPy (lstm_course.interop): nn.LSTMCell <-> CellParams, nn.LSTM <-> NumpyLSTM."""

import numpy as np
import pytest
import torch

from lstm_course.interop import (
    cell_params_from_torch,
    numpy_lstm_from_torch,
    numpy_lstm_to_torch,
    torch_cell_from_params,
)
from lstm_course.lstm.activations import sigmoid
from lstm_course.lstm.cell import init_cell_params, lstm_cell_forward
from lstm_course.lstm.numpy_lstm import NumpyLSTM

FORWARD_TOL = 1e-12


def test_weights_copied_from_torch_in_gate_order():
    torch.manual_seed(0)
    cell = torch.nn.LSTMCell(3, 2, dtype=torch.float64)
    params = cell_params_from_torch(cell)
    x, h, c = torch.randn(3, dtype=torch.float64), torch.randn(2, dtype=torch.float64), torch.randn(2, dtype=torch.float64)
    with torch.no_grad():
        h_pt, c_pt = cell(x, (h, c))
    h_np, c_np, cache = lstm_cell_forward(x.numpy(), h.numpy(), c.numpy(), *params)
    assert np.abs(h_np - h_pt.numpy()).max() <= 1e-12 and np.abs(c_np - c_pt.numpy()).max() <= 1e-12
    # torch's forget gate is rows H..2H: recompute it by hand from those rows
    W_ih, W_hh, b_ih, b_hh = params
    z_f = W_ih[2:4] @ x.numpy() + b_ih[2:4] + W_hh[2:4] @ h.numpy() + b_hh[2:4]
    assert np.allclose(cache.f_t, sigmoid(z_f), atol=1e-15)


def test_cell_without_bias_matches_torch():
    torch.manual_seed(1)
    cell = torch.nn.LSTMCell(4, 3, bias=False, dtype=torch.float64)
    params = cell_params_from_torch(cell)
    assert not params.b_ih.any() and not params.b_hh.any()
    x, h, c = (torch.randn(2, n, dtype=torch.float64) for n in (4, 3, 3))
    with torch.no_grad():
        h_pt, _ = cell(x, (h, c))
    h_np, _, _ = lstm_cell_forward(x.numpy(), h.numpy(), c.numpy(), params.W_ih, params.W_hh)
    assert np.abs(h_np - h_pt.numpy()).max() <= 1e-12


def test_torch_cell_from_params_rejects_mismatched_shapes():
    W_ih, W_hh, b_ih, b_hh = init_cell_params(3, 4, rng=0)
    with pytest.raises(ValueError, match=r"W_hh must have shape \(4H, H\) = \(20, 5\), got \(16, 5\)"):
        torch_cell_from_params((W_ih, np.zeros((16, 5)), b_ih, b_hh))
    with pytest.raises(TypeError, match="cell must be a torch.nn.LSTMCell, got LSTM"):
        cell_params_from_torch(torch.nn.LSTM(3, 4))


def test_to_torch_round_trip():
    net = NumpyLSTM(3, 4, num_layers=2, bias=False, batch_first=True, bidirectional=True, seed=5)
    module = numpy_lstm_to_torch(net)
    assert (module.num_layers, module.bias, module.batch_first, module.bidirectional) == (2, False, True, True)
    x = np.random.default_rng(0).normal(size=(2, 6, 3))
    out, (h_n, c_n) = net(x)
    out_t, (h_n_t, c_n_t) = module(torch.from_numpy(x))
    assert np.abs(out - out_t.detach().numpy()).max() <= FORWARD_TOL
    back = numpy_lstm_from_torch(module)
    assert all(np.array_equal(back.params[n], p) for n, p in net.params.items())


def test_float32_accepted():
    torch.manual_seed(0)
    module = torch.nn.LSTM(3, 5, num_layers=2)  # float32, torch's default
    net = numpy_lstm_from_torch(module)
    assert net.dtype == np.float32 and all(p.dtype == np.float32 for p in net.params.values())
    x = np.random.default_rng(0).normal(size=(7, 2, 3)).astype(np.float32)
    out, (h_n, _) = net(x)
    assert out.dtype == np.float32 and h_n.dtype == np.float32
    assert np.abs(out - module(torch.from_numpy(x))[0].detach().numpy()).max() < 1e-6
    grads = net.backward(np.ones_like(out))
    assert all(g.dtype == np.float32 for g in grads.values())
    # float64 input to a float32 net is computed in float32, as the net's dtype says
    assert net(x.astype(np.float64))[0].dtype == np.float32


@pytest.mark.parametrize("bidirectional", [False, True])
def test_projection_carried_both_ways(bidirectional):
    """weight_hr_l{k}[_reverse] goes torch -> NumPy -> torch unchanged, and both nets compute the same."""
    torch.manual_seed(3)
    module = torch.nn.LSTM(3, 5, num_layers=2, bidirectional=bidirectional, proj_size=2, dtype=torch.float64)
    net = numpy_lstm_from_torch(module)
    hr = [n for n, _ in module.named_parameters() if n.startswith("weight_hr")]
    assert len(hr) == 2 * (2 if bidirectional else 1) and list(net.params) == [n for n, _ in module.named_parameters()]
    assert net.proj_size == 2 and net.params["weight_hr_l1"].shape == (2, 5)
    back = numpy_lstm_to_torch(net)
    assert back.proj_size == 2
    for name, p in module.named_parameters():
        assert torch.equal(dict(back.named_parameters())[name], p), name
    x = np.random.default_rng(0).normal(size=(6, 2, 3))
    out, (h_n, c_n) = net(x)
    out_t, (h_n_t, c_n_t) = back(torch.from_numpy(x))
    assert out.shape == (6, 2, 2 * (2 if bidirectional else 1)) and h_n.shape[-1] == 2 and c_n.shape[-1] == 5
    for got, ref in ((out, out_t), (h_n, h_n_t), (c_n, c_n_t)):
        assert np.abs(got - ref.detach().numpy()).max() <= FORWARD_TOL


def test_from_torch_limits():
    with pytest.warns(UserWarning, match="dropout=0.5"):
        numpy_lstm_from_torch(torch.nn.LSTM(3, 4, num_layers=2, dropout=0.5))
    with pytest.raises(TypeError, match="module must be a torch.nn.LSTM, got GRU"):
        numpy_lstm_from_torch(torch.nn.GRU(3, 4))
