"""nn.LSTM's shapes and parameters by rule, the shape explorer, padded batches, streams, and the sequence-sum task."""

import itertools

import ipywidgets as widgets
import numpy as np
import pytest
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

from lstm_course.topics import lstm_api, sequence_sum
from lstm_course.classroom import panels
from lstm_course.classroom.panels import LivePanel

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("layers,bidirectional,batch_first,proj",
                         list(itertools.product((1, 3), (False, True), (False, True), (0, 2))))
def test_shape_rules_match_a_real_lstm(layers, bidirectional, batch_first, proj):
    args = dict(seq_len=4, batch=3, input_size=5, hidden_size=6, num_layers=layers, bidirectional=bidirectional,
                batch_first=batch_first, proj_size=proj)
    assert lstm_api.run_shapes(**args) == lstm_api.lstm_shapes(**args)


def test_shape_rules_spelled_out():
    s = lstm_api.lstm_shapes(7, 2, 5, 6, num_layers=3, bidirectional=True, batch_first=True)
    assert s == {"input": (2, 7, 5), "h0": (6, 2, 6), "c0": (6, 2, 6), "output": (2, 7, 12),
                 "h_n": (6, 2, 6), "c_n": (6, 2, 6)}
    assert lstm_api.shape_rule("input", batch_first=True).startswith("(B, T, D)")
    assert lstm_api.shape_rule("h_n").startswith("(n_dir·L, B, H_out)")


@pytest.mark.parametrize("D,H,L,bias,bi,proj", [(5, 6, 2, True, False, 0), (1, 50, 1, True, False, 0),
                                                (3, 8, 3, False, True, 0), (4, 8, 2, True, True, 3),
                                                (2, 5, 1, False, False, 4)])
def test_param_count_formula_matches_the_module(D, H, L, bias, bi, proj):
    module = nn.LSTM(D, H, L, bias=bias, bidirectional=bi, proj_size=proj)
    assert lstm_api.param_count(D, H, L, bias, bi, proj) == sum(p.numel() for p in module.parameters())


def test_keras_layer_has_one_bias_so_fewer_parameters():
    assert lstm_api.keras_param_count(50, 1) == 10_400
    assert lstm_api.param_count(1, 50) - lstm_api.keras_param_count(50, 1) == 4 * 50


def explorer():
    return LivePanel(panels.shape_explorer_view, {
        "seq_len": widgets.IntSlider(value=3, min=1, max=10), "batch": widgets.IntSlider(value=2, min=1, max=8),
        "input_size": widgets.IntSlider(value=5, min=1, max=16),
        "hidden_size": widgets.IntSlider(value=6, min=1, max=16),
        "num_layers": widgets.IntSlider(value=2, min=1, max=4), "bidirectional": widgets.Checkbox(value=False),
        "batch_first": widgets.Checkbox(value=False), "proj_size": widgets.IntSlider(value=0, min=0, max=15)})


def test_explorer_follows_every_control():
    panel = explorer()
    moves = [("seq_len", 9), ("batch", 4), ("input_size", 11), ("hidden_size", 8), ("num_layers", 3),
             ("bidirectional", True), ("batch_first", True), ("proj_size", 5)]
    for name, value in moves:
        before = panel.last
        panel.controls[name].value = value
        settings = {k: c.value for k, c in panel.controls.items()}
        assert panel.error is None and panel.last is not before
        assert panel.last.values == lstm_api.lstm_shapes(**settings), name
        assert bytes(panel.image.value).startswith(PNG_MAGIC)
        for tensor, shape in panel.last.values.items():
            assert f"data-name='{tensor}'>{shape}<" in panel.readout.value
    assert panel.last.values["output"] == (4, 9, 10) and panel.last.values["c_n"] == (6, 4, 8)


def test_explorer_reports_a_projection_too_large():
    panel = explorer()
    panel.controls["proj_size"].value = 6
    assert panel.error == "proj_size must be smaller than hidden_size=6, got proj_size=6"
    panel.controls["proj_size"].value = 0
    assert panel.error is None and panel.last.values["h_n"] == (2, 2, 6)


@pytest.mark.parametrize("call,message", [
    (lambda: lstm_api.lstm_shapes(0, 2, 5, 6), r"seq_len must be an integer in \[1, 1000000\], got 0"),
    (lambda: lstm_api.lstm_shapes(3, 2.5, 5, 6), r"batch must be an integer .*, got 2.5"),
    (lambda: lstm_api.lstm_shapes(3, 2, 5, 6, bidirectional="yes"), r"bidirectional must be True or False, got str 'yes'"),
    (lambda: lstm_api.param_count(5, 6, proj_size=6), r"proj_size must be smaller than hidden_size=6, got proj_size=6"),
    (lambda: lstm_api.param_count(5, True), r"hidden_size must be an integer .*, got True"),
    (lambda: lstm_api.shape_rule("weights"), r"name must be one of .*, got 'weights'"),
    (lambda: lstm_api.keras_param_count(0, 1), r"units must be an integer .*, got 0"),
])
def test_bad_input_is_a_clear_value_error(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call()


# ---------------------------------------------------------------- padded batches

def padded_batch():
    torch.manual_seed(0)
    lstm = nn.LSTM(3, 4, batch_first=True)
    lengths = torch.tensor([5, 2, 4])
    x = torch.randn(3, 5, 3)
    x[torch.arange(5) >= lengths[:, None]] = 0.0        # padding
    return lstm, x, lengths


def test_last_step_equals_the_final_state_of_a_packed_batch():
    lstm, x, lengths = padded_batch()
    out, _ = lstm(x)
    _, (h_n, _) = lstm(pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False))
    assert torch.allclose(lstm_api.last_step(out, lengths), h_n[-1], atol=1e-6)
    assert not torch.allclose(out[:, -1], h_n[-1], atol=1e-3)           # the classic bug
    assert torch.allclose(out[0, -1], h_n[-1, 0], atol=1e-6)            # right only for the full-length row
    time_major = out.transpose(0, 1)
    assert torch.equal(lstm_api.last_step(time_major, lengths, batch_first=False), lstm_api.last_step(out, lengths))


@pytest.mark.parametrize("call,message", [
    (lambda: lstm_api.last_step(torch.zeros(3, 5), [5, 2, 4]), r"output must be a 3-D tensor.*got \(3, 5\)"),
    (lambda: lstm_api.last_step(torch.zeros(3, 5, 2), [5, 2]), r"lengths must be B=3 whole numbers, got shape \(2,\)"),
    (lambda: lstm_api.last_step(torch.zeros(3, 5, 2), [5, 0, 4]), r"lengths must be in \[1, T=5\], got \[5, 0, 4\]"),
    (lambda: lstm_api.last_step(torch.zeros(3, 5, 2), [5.0, 2.0, 4.0]), r"lengths must be B=3 whole numbers"),
])
def test_last_step_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# ---------------------------------------------------------------- streams

def test_chunks_with_the_state_carried_equal_one_long_run():
    torch.manual_seed(0)
    lstm, x = nn.LSTM(2, 3), torch.randn(12, 2, 2)
    full, (h, c) = lstm(x)
    chunked, (h2, c2) = lstm_api.run_in_chunks(lstm, x, chunk=5)
    assert torch.allclose(full, chunked, atol=1e-6) and torch.allclose(h, h2, atol=1e-6) and torch.allclose(c, c2, atol=1e-6)
    fresh, _ = lstm_api.run_in_chunks(lstm, x, chunk=5, carry=False)
    assert torch.allclose(fresh[:5], full[:5]) and not torch.allclose(fresh[5:], full[5:], atol=1e-3)


def test_detaching_stops_the_gradient_at_the_chunk_boundary():
    torch.manual_seed(0)
    lstm = nn.LSTM(2, 3)
    for detach in (True, False):
        x = torch.randn(10, 1, 2, requires_grad=True)
        out, _ = lstm_api.run_in_chunks(lstm, x, chunk=5, detach=detach)
        out[-1].sum().backward()                       # a loss on the last step of the second chunk
        first_chunk = x.grad[:5].abs().sum()
        assert (first_chunk == 0) if detach else (first_chunk > 0)
        assert x.grad[5:].abs().sum() > 0


@pytest.mark.parametrize("call,message", [
    (lambda: lstm_api.run_in_chunks(nn.GRU(2, 3), torch.zeros(4, 1, 2), 2), r"lstm must be a time-major torch.nn.LSTM"),
    (lambda: lstm_api.run_in_chunks(nn.LSTM(2, 3), torch.zeros(4, 2), 2), r"x must be a tensor of shape \(T, B, 2\), got \(4, 2\)"),
    (lambda: lstm_api.run_in_chunks(nn.LSTM(2, 3), torch.zeros(4, 1, 2), 0), r"chunk must be an integer"),
])
def test_run_in_chunks_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# ---------------------------------------------------------------- the sequence-sum task

def test_data_is_the_articles_recipe():
    X, y = sequence_sum.make_data(seed=3)
    np.random.seed(3)
    assert np.array_equal(X, np.random.rand(1000, 10, 1)) and np.array_equal(y, X.sum(axis=1))
    assert X.shape == (1000, 10, 1) and y.shape == (1000, 1)


def test_split_is_disjoint_and_complete():
    X, y = sequence_sum.make_data(n=50)
    X_tr, X_te, y_tr, y_te = sequence_sum.split(X, y)
    assert len(X_tr) == 40 and len(X_te) == 10
    assert sorted(np.r_[y_tr[:, 0], y_te[:, 0]].tolist()) == sorted(y[:, 0].tolist())


def test_mean_baseline_is_the_variance_of_the_test_targets_when_means_agree():
    y = np.arange(10.0)[:, None]
    assert sequence_sum.mean_baseline_mse(y, y) == pytest.approx(np.var(y))


def test_a_short_training_run_beats_the_mean():
    torch.set_num_threads(1)
    result = sequence_sum.train(sequence_sum.SumConfig(epochs=4), progress=False)
    assert len(result.train_losses) == 4 and result.train_losses[-1] < result.train_losses[0]
    assert result.test_mse < 0.1 * result.baseline_mse
    assert sequence_sum.predict(result.model, np.zeros((2, 10, 1))).shape == (2, 1)


@pytest.mark.parametrize("call,message", [
    (lambda: sequence_sum.make_data(n=1), r"n must be an integer in \[2, 10000000\], got 1"),
    (lambda: sequence_sum.split(np.zeros((5, 10)), np.zeros((5, 1))), r"X must be 3-D, got 2-D array of shape \(5, 10\)"),
    (lambda: sequence_sum.split(np.zeros((5, 10, 1)), np.zeros((4, 1))), r"same number of samples, got 5 and 4"),
    (lambda: sequence_sum.SumConfig(lr=5.0), r"lr must be in \[1e-06, 1.0\], got 5.0"),
    (lambda: sequence_sum.SumConfig(hidden=0), r"hidden must be an integer"),
    (lambda: sequence_sum.predict(nn.Linear(1, 1), np.zeros((2, 10, 3))), r"X must have shape \(n, T, 1\), got \(2, 10, 3\)"),
])
def test_sequence_sum_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()
