"""The sequence-sum task of notebook 05: the article's data, the split, the baseline, the model and its training."""

import numpy as np
import pytest
import torch
from torch import nn

from lstm_course.topics import sequence_sum
from lstm_course.torchkit import RecurrentRegressor


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
    (lambda: sequence_sum.split(np.zeros((5, 10, 1)), np.zeros((4, 1))), r"y must have shape \(n, 1\) = \(5, 1\) to match X, got \(4, 1\)"),
    (lambda: sequence_sum.SumConfig(lr=5.0), r"lr must be in \[1e-06, 1.0\], got 5.0"),
    (lambda: sequence_sum.SumConfig(hidden=0), r"hidden must be an integer"),
    (lambda: sequence_sum.predict(nn.Linear(1, 1), np.zeros((2, 10, 3))), r"X must have shape \(n, T, 1\), got \(2, 10, 3\)"),
])
def test_sequence_sum_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_the_model_centres_its_input_by_x_shift():
    """The input centring is what the model computes: mutating x_shift (its value or its use) fails here."""
    torch.set_num_threads(1)
    X, y = sequence_sum.make_data(n=40, steps=5)
    data = sequence_sum.split(X, y)
    model = sequence_sum.train(sequence_sum.SumConfig(hidden=4, num_layers=1, epochs=1), data, progress=False).model
    assert isinstance(model, RecurrentRegressor) and model.x_shift == sequence_sum.X_SHIFT == 0.5
    assert model.x_shift == pytest.approx(X.mean(), abs=0.05)          # the inputs' mean: x - x_shift is centred
    x = torch.from_numpy(data[1]).float()
    with torch.no_grad():
        out, _ = model.rnn(x - 0.5)                                    # the equation, written out
        by_hand = model.y_mean + model.y_std * model.head(out[:, -1])
        uncentred, _ = model.rnn(x)
        not_centred = model.y_mean + model.y_std * model.head(uncentred[:, -1])
    assert np.allclose(sequence_sum.predict(model, data[1]), by_hand.double().numpy(), atol=1e-6)
    assert not np.allclose(by_hand.numpy(), not_centred.numpy(), atol=1e-3)   # and centring changes the prediction
    raw = sequence_sum.train(sequence_sum.SumConfig(hidden=4, num_layers=1, epochs=1, standardize=False), data,
                             progress=False).model
    assert (raw.x_shift, raw.y_mean, raw.y_std) == (0.0, 0.0, 1.0)


def test_training_repeats_bit_for_bit():
    torch.set_num_threads(1)
    config = sequence_sum.SumConfig(hidden=4, num_layers=1, epochs=2)
    data = sequence_sum.split(*sequence_sum.make_data(n=40, steps=5))
    a, b = sequence_sum.train(config, data, progress=False), sequence_sum.train(config, data, progress=False)
    assert a.train_losses == b.train_losses and a.test_mse == b.test_mse


def test_one_dimensional_targets_are_refused_not_broadcast():
    X, y = sequence_sum.make_data(n=40, steps=5)
    X_tr, X_te, y_tr, y_te = sequence_sum.split(X, y)
    with pytest.raises(ValueError, match=r"y_train must be 2-D, got 1-D array of shape \(32,\)"):
        sequence_sum.train(sequence_sum.SumConfig(epochs=1), (X_tr, X_te, y_tr[:, 0], y_te), progress=False)
    with pytest.raises(ValueError, match=r"y_test must have shape \(n, 1\) = \(8, 1\) to match X_test"):
        sequence_sum.train(sequence_sum.SumConfig(epochs=1), (X_tr, X_te, y_tr, y_te[:4]), progress=False)


def test_predict_is_torchkits(monkeypatch):
    from lstm_course import torchkit
    calls = []
    monkeypatch.setattr(torchkit, "predict", lambda model, X: calls.append(X.shape) or model(X).detach())
    sequence_sum.predict(nn.Sequential(nn.Flatten(), nn.Linear(3, 1)), np.zeros((2, 3, 1)))
    assert calls == [(2, 3, 1)]


def test_test_mse_is_torchkits_mean_loss(monkeypatch):
    from lstm_course import torchkit
    calls = []
    real = torchkit.mean_loss
    monkeypatch.setattr(torchkit, "mean_loss", lambda *args: calls.append(len(args[2])) or real(*args))
    data = sequence_sum.split(*sequence_sum.make_data())
    result = sequence_sum.train(sequence_sum.SumConfig(epochs=1), data, progress=False)
    assert calls[-1] == len(data[1])
    assert result.test_mse == pytest.approx(float(np.mean((sequence_sum.predict(result.model, data[1]) - data[3]) ** 2)),
                                            rel=1e-12)


def test_keras_article_is_the_articles_model_and_settings():
    c = sequence_sum.KERAS_ARTICLE
    assert (c.hidden, c.num_layers, c.epochs, c.batch_size, c.lr, c.standardize, c.init) == (50, 1, 10, 32, 1e-3, False,
                                                                                             "torch")


def test_keras_initialise_gives_keras_defaults():
    torch.manual_seed(0)
    model = sequence_sum.keras_initialise(RecurrentRegressor("lstm", 1, 8, num_layers=2))
    H = 8
    for layer in range(2):
        lstm = model.rnn
        b_ih, b_hh = getattr(lstm, f"bias_ih_l{layer}"), getattr(lstm, f"bias_hh_l{layer}")
        expected = torch.zeros(4 * H)
        expected[H:2 * H] = 1                                             # unit_forget_bias: 1, written, not added
        assert torch.equal(b_ih.detach(), expected) and torch.equal(b_hh.detach(), torch.zeros(4 * H))
        W_hh, W_ih = getattr(lstm, f"weight_hh_l{layer}").detach(), getattr(lstm, f"weight_ih_l{layer}").detach()
        assert torch.allclose(W_hh.T @ W_hh, torch.eye(H), atol=1e-5)    # orthogonal
        fan_in = W_ih.shape[1]
        assert W_ih.abs().max() <= (6 / (fan_in + 4 * H)) ** 0.5         # glorot_uniform
        assert W_ih.abs().max() > 0.5 * (6 / (fan_in + 4 * H)) ** 0.5    # and not something smaller
    assert torch.equal(model.head.bias.detach(), torch.zeros(1))
    assert model.head.weight.abs().max() <= (6 / (H + 1)) ** 0.5


def test_keras_start_learns_the_literal_model_where_torchs_does_not():
    torch.set_num_threads(1)
    import dataclasses
    runs = {init: sequence_sum.train(dataclasses.replace(sequence_sum.KERAS_ARTICLE, init=init), progress=False)
            for init in sequence_sum.INITS}
    share = {init: r.test_mse / r.baseline_mse for init, r in runs.items()}
    assert share["torch"] > 0.9 and share["keras"] < 0.3


@pytest.mark.parametrize("call,error,message", [
    (lambda: sequence_sum.SumConfig(init="tf"), ValueError, r"init must be one of"),
    (lambda: sequence_sum.keras_initialise(nn.Linear(1, 1)), TypeError, r"model must be a torchkit.RecurrentRegressor"),
    (lambda: sequence_sum.keras_initialise(RecurrentRegressor("gru", 1, 4)), ValueError,
     r"model must hold a one-directional nn.LSTM"),
])
def test_keras_init_bad_input(call, error, message):
    with pytest.raises(error, match=message):
        call()
