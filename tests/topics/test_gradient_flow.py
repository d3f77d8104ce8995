"""Gradient flow by distance: the measurement, the forget-bias helper and the exercise checker."""

import math

import numpy as np
import pytest
import torch

from lstm_course import torchkit
from lstm_course.topics import gradient_flow as gf
from lstm_course.torchkit import make_recurrent


def sigmoid(b):
    return 1 / (1 + math.exp(-b))


def test_set_forget_bias_writes_only_the_forget_block():
    torch.manual_seed(0)
    lstm = make_recurrent("lstm", 2, 5)
    before_ih, before_hh = lstm.bias_ih_l0.detach().clone(), lstm.bias_hh_l0.detach().clone()
    assert torchkit.set_forget_bias(lstm, 2) is lstm
    total = (lstm.bias_ih_l0 + lstm.bias_hh_l0).detach()
    assert torch.all(total[5:10] == 2.0)
    for rows in (slice(0, 5), slice(10, 20)):            # i, then g and o: untouched
        assert torch.equal(lstm.bias_ih_l0[rows].detach(), before_ih[rows])
        assert torch.equal(lstm.bias_hh_l0[rows].detach(), before_hh[rows])


def test_forget_bias_sets_the_gate_when_weights_are_zero():
    lstm = make_recurrent("lstm", 1, 3, dtype=torch.float64)
    with torch.no_grad():
        for p in lstm.parameters():
            p.zero_()
    torchkit.set_forget_bias(lstm, 1.5)
    c0 = torch.tensor([[[1.0, -2.0, 0.5]]], dtype=torch.float64)
    _, (_, c1) = lstm(torch.zeros(1, 1, 1, dtype=torch.float64), (torch.zeros_like(c0), c0))
    assert torch.allclose(c1, sigmoid(1.5) * c0, atol=1e-15)   # i_t g_t = 0.5 * tanh(0) = 0


@pytest.mark.parametrize("module,value,message", [
    (torch.nn.GRU(2, 3), 1.0, "lstm must be a torch.nn.LSTM, got GRU"),
    (torch.nn.LSTM(2, 3), float("nan"), "value must be a finite number, got nan"),
    (torch.nn.LSTM(2, 3), math.inf, "value must be a finite number, got inf"),
    (torch.nn.LSTM(2, 3), "2", "value must be a real number .* got str '2'"),
    (torch.nn.LSTM(2, 3, bias=False), 1.0, "lstm has no biases"),
])
def test_set_forget_bias_rejects_bad_input(module, value, message):
    with pytest.raises((ValueError, TypeError), match=message):
        torchkit.set_forget_bias(module, value)


def test_rnn_gradients_follow_the_chain_of_tanh_prime_times_w():
    """dL/dh_{t-1} = W_hh^T ((1 - h_t^2) * dL/dh_t), the derivation of notebook 03, step by step in NumPy."""
    torch.manual_seed(3)
    rnn = make_recurrent("rnn", 2, 4, dtype=torch.float64)
    x = torch.randn(2, 6, 2, dtype=torch.float64)
    readout = torch.randn(4, dtype=torch.float64)
    measured = gf.state_gradients(rnn, x, readout)
    with torch.no_grad():
        hs, _ = rnn(x)                                        # (B, T, H)
    W = rnn.weight_hh_l0.detach().numpy()
    g = np.tile(readout.numpy(), (2, 1))                     # dL/dh_T for each example
    expected = [np.linalg.norm(g, axis=1).mean()]
    for t in range(5, 0, -1):                                # back from h_T to h_1
        g = (g * (1 - hs[:, t].numpy() ** 2)) @ W
        expected.append(np.linalg.norm(g, axis=1).mean())
    assert np.allclose(measured, expected, rtol=1e-12, atol=0)


def test_rnn_vanishes_and_a_forget_bias_keeps_the_lstm_gradient():
    rnn = gf.gradient_flow("rnn", 60).ratio
    lstm = {b: gf.gradient_flow("lstm", 60, forget_bias=b).ratio for b in (0.0, 1.0, 2.0)}
    assert rnn[0] == 1 and rnn[50] < 1e-8                      # orders of magnitude lost
    assert lstm[0.0][50] < lstm[1.0][50] < lstm[2.0][50]       # a larger forget bias keeps more
    assert lstm[2.0][50] > 1e4 * rnn[50]
    rate = (rnn[59] / rnn[10]) ** (1 / 49)                     # per-step factor of the RNN
    rho = torch.linalg.eigvals(gf.gradient_flow("rnn", 60).module.weight_hh_l0.detach()).abs().max().item()
    assert rate < rho < 1


def test_gradient_flow_is_reproducible_and_seeded():
    a, b = gf.gradient_flow("gru", 20, seed=4), gf.gradient_flow("gru", 20, seed=4)
    assert np.array_equal(a.norms, b.norms)
    assert not np.array_equal(a.norms, gf.gradient_flow("gru", 20, seed=5).norms)


def test_the_cell_state_gradient_is_a_power_of_the_constant_forget_gate():
    for b, k in ((2.0, 1), (0.5, 7), (-1.0, 4), (3.0, 40)):
        assert gf.constant_forget_ratio(b, k) == pytest.approx(sigmoid(b) ** k, rel=1e-12)


@pytest.mark.parametrize("call,message", [
    (lambda: gf.gradient_flow("transformer"), r"kind must be one of \('rnn', 'gru', 'lstm'\), got 'transformer'"),
    (lambda: gf.gradient_flow("rnn", T=1), r"T must be an integer in \[2, 2000\], got 1"),
    (lambda: gf.gradient_flow("rnn", T=10.5), r"T must be an integer in \[2, 2000\], got 10.5"),
    (lambda: gf.gradient_flow("rnn", 10, forget_bias=1.0), "forget_bias only applies to kind 'lstm', got kind 'rnn'"),
    (lambda: gf.gradient_flow("gru", 10, state="c"), "state must be 'h' \\(or 'c' for an LSTM\\), got 'c' for GRU"),
    (lambda: gf.gradient_flow("lstm", 10, forget_bias=math.nan), "forget_bias must be a finite number, got nan"),
    (lambda: gf.gradient_flow("lstm", 10, hidden=0), r"hidden must be an integer in \[1, 1024\], got 0"),
    (lambda: gf.state_gradients(torch.nn.RNN(2, 3, batch_first=True), torch.zeros(1, 4, 2), torch.ones(4)),
     r"readout must have shape \(3,\), got \(4,\)"),
    (lambda: gf.constant_forget_ratio(2.0, -1), r"k must be an integer in \[0, 500\], got -1"),
])
def test_bad_input_is_a_clear_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


