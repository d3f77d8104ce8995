"""nn.LSTM's shapes and parameters by rule, padded batches and streams."""

import itertools

import pytest
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

from lstm_course.topics import lstm_api

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
    (lambda: lstm_api.run_in_chunks(nn.GRU(2, 3), torch.zeros(4, 1, 2), 2), r"lstm must be a torch.nn.LSTM, got GRU"),
    (lambda: lstm_api.run_in_chunks(nn.LSTM(2, 3), torch.zeros(4, 2), 2), r"x must be 3-D, got 2-D tensor of shape \(4, 2\)"),
    (lambda: lstm_api.run_in_chunks(nn.LSTM(2, 3), torch.zeros(4, 1, 2), 0), r"chunk must be an integer"),
])
def test_run_in_chunks_bad_input(call, message):
    with pytest.raises((TypeError, ValueError), match=message):
        call()


@pytest.mark.parametrize("shape", [(0, 2, 3), (4, 0, 3)])
def test_run_in_chunks_refuses_an_empty_stream(shape):
    with pytest.raises(ValueError, match=r"with T >= 1 and B >= 1, got torch.float32 \(" + str(shape[0])):
        lstm_api.run_in_chunks(nn.LSTM(3, 2), torch.zeros(shape), chunk=2)


def test_packing_wants_lengths_on_the_cpu():
    """What notebook 05 says: a list or a 1-D CPU tensor (any integer dtype) packs; a tensor elsewhere is refused.

    A 'meta' tensor stands in for a GPU one on a machine without a GPU: the check is the same.
    """
    x = torch.zeros(3, 5, 2)
    for lengths in ([5, 4, 2], torch.tensor([5, 4, 2]), torch.tensor([5, 4, 2], dtype=torch.int32)):
        assert pack_padded_sequence(x, lengths, batch_first=True).batch_sizes.tolist() == [3, 3, 2, 2, 1]
    with pytest.raises(RuntimeError, match=r"'lengths' argument should be a 1D CPU int64 tensor, but got 1D meta"):
        pack_padded_sequence(x, torch.tensor([5, 4, 2], device="meta"), batch_first=True)
