"""The bidirectional LSTM from two NumPy LSTMs, the look-ahead task, the cost, and the exercise's checker."""

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure
from torch import nn

from lstm_course.classroom import plots
from lstm_course.topics import bidirectional as bi


@pytest.mark.parametrize("layers,bias", [(1, True), (2, True), (3, False)])
def test_two_numpy_lstms_per_layer_equal_torch_bidirectional(layers, bias):
    torch.manual_seed(layers)
    module = nn.LSTM(3, 4, layers, bias=bias, bidirectional=True, dtype=torch.float64)
    x = torch.randn(6, 2, 3, dtype=torch.float64)
    with torch.no_grad():
        out, (h_n, c_n) = module(x)
    out_np, (h_np, c_np) = bi.bi_lstm(bi.split_directions(module), x.numpy())
    for ours, theirs in ((out_np, out), (h_np, h_n), (c_np, c_n)):
        assert ours.shape == theirs.shape and np.allclose(ours, theirs.numpy(), atol=1e-12, rtol=0)


def test_layout_forward_then_backward():
    torch.manual_seed(0)
    module = nn.LSTM(2, 3, 2, bidirectional=True, dtype=torch.float64)
    with torch.no_grad():
        out, (h_n, _) = module(torch.randn(5, 1, 2, dtype=torch.float64))
    assert torch.equal(out[-1, :, :3], h_n[2]) and torch.equal(out[0, :, 3:], h_n[3])   # top layer, fwd then bwd
    assert not torch.allclose(out[-1, :, 3:], h_n[3])


def test_forgetting_to_reverse_back_breaks_the_equality():
    torch.manual_seed(0)
    module = nn.LSTM(2, 3, bidirectional=True, dtype=torch.float64)
    x = torch.randn(5, 1, 2, dtype=torch.float64)
    with torch.no_grad():
        out, _ = module(x)
    (fwd, bwd), = bi.split_directions(module)
    forgot = np.concatenate([fwd(x.numpy())[0], bwd(x.numpy()[::-1])[0]], axis=-1)
    assert np.allclose(forgot[:, :, :3], out[:, :, :3].numpy())
    assert not np.allclose(forgot[:, :, 3:], out[:, :, 3:].numpy(), atol=1e-3)


def test_reading_order_and_drawing():
    steps = bi.reading(list("abcd"))
    assert steps[0] == (["a"], list("abcd")) and steps[3] == (list("abcd"), ["d"])
    assert all(len(f) + len(b) == 5 for f, b in steps)          # both directions read x_t at step t
    plots.draw_reading(Figure().add_subplot(), ["a", "b", "a"])


def test_lookahead_labels():
    x, y = bi.lookahead_data(n=5, steps=6, vocab=3, k=2)
    assert x.shape == y.shape == (5, 6) and int(x.max()) < 3
    assert torch.equal(y[:, :4], x[:, 2:]) and torch.all(y[:, 4:] == bi.IGNORE)


def test_bidirectional_tagger_beats_unidirectional():
    torch.set_num_threads(1)
    uni = bi.train_tagger(False, epochs=3, progress=False)
    both = bi.train_tagger(True, epochs=3, progress=False)
    assert uni.accuracies[-1] < 0.35 < 0.8 < both.accuracies[-1]


def test_cost_counts():
    assert bi.multiply_adds_per_step(5, 6, bidirectional=True) == 2 * bi.multiply_adds_per_step(5, 6) == 2 * 24 * 11
    assert bi.seconds_per_step(nn.LSTM(2, 3), steps=3, batch=2, repeats=1) > 0


def test_summary_equals_the_final_states():
    torch.manual_seed(0)
    module = nn.LSTM(2, 3, bidirectional=True, dtype=torch.float64)
    with torch.no_grad():
        out, (h_n, _) = module(torch.randn(4, 2, 2, dtype=torch.float64))
    assert np.array_equal(bi.summary(out.numpy(), 3), torch.cat([h_n[0], h_n[1]], dim=-1).numpy())


@pytest.mark.parametrize("call,message", [
    (lambda: bi.split_directions(nn.LSTM(2, 3)), r"module must be a time-major nn.LSTM\(bidirectional=True\)"),
    (lambda: bi.bi_lstm([], np.zeros((3, 1, 2))), r"pairs must hold at least one"),
    (lambda: bi.bi_lstm(bi.split_directions(nn.LSTM(2, 3, bidirectional=True)), np.zeros((3, 2))),
     r"x must be 3-D, got 2-D array of shape \(3, 2\)"),
    (lambda: bi.reading([]), r"tokens must hold at least one token"),
    (lambda: bi.lookahead_data(steps=4, k=4), r"k must be an integer in \[1, 3\], got 4"),
    (lambda: bi.multiply_adds_per_step(0, 3), r"input_size must be an integer"),
    (lambda: bi.seconds_per_step(nn.GRU(2, 3)), r"module must be a torch.nn.LSTM, got GRU"),
    (lambda: bi.summary(np.zeros((4, 2, 5)), 3), r"output must have shape \(4, 2, 6\), got \(4, 2, 5\)"),
])
def test_bad_input_is_a_clear_value_error(call, message):
    with pytest.raises((TypeError, ValueError), match=message):
        call()


@pytest.mark.parametrize("shape", [(0, 2, 4), (3, 0, 4)])
def test_summary_refuses_an_empty_output(shape):
    with pytest.raises(ValueError, match=r"output must hold at least one step and one sequence"):
        bi.summary(np.zeros(shape), 2)
