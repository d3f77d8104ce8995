"""Tests of lstm_course.topics.sine: the article's data, windows and splits
without look-ahead, both training approaches on every available device, the
evaluation figures and the command line. (Device choice: tests/test_torchkit.py;
the panels: tests/classroom/test_panels_sine.py; bad input at large:
tests/topics/test_sine_bad_input.py.)"""

import json
import subprocess
import sys

import numpy as np
import pytest
import torch
from torch import nn

from lstm_course.topics import sine
from lstm_course.topics.sine import CourseConfig
from lstm_course.torchkit import set_forget_bias

torch.set_num_threads(1)

DEVICES = [
    "cpu",
    pytest.param("cuda", marks=pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device here")),
    pytest.param("mps", marks=pytest.mark.skipif(not torch.backends.mps.is_available(), reason="no MPS device here")),
]
TINY = CourseConfig(window=10, hidden=8, batch_size=64, max_epochs=2, patience=5, val_size=50)


class Echo(nn.Module):
    """Predicts that the next value equals the last input: (batch, steps, 1) -> (batch, 1)."""

    def forward(self, x):
        return x[:, -1]


# ---------------------------------------------------------------- data

def test_article_data_is_the_article_bit_for_bit():
    state = np.random.get_state()
    noisy, clean = sine.article_data()
    np.random.seed(42)  # the article's own lines
    data = np.sin(np.linspace(0, 100, num=1000)) + np.random.normal(0, 0.1, size=1000)
    assert np.array_equal(noisy, data)
    assert np.array_equal(clean, np.sin(np.linspace(0, 100, num=1000)))
    np.random.set_state(state)


def test_article_data_leaves_global_random_state_alone():
    np.random.seed(7)
    expected = np.random.random()
    np.random.seed(7)
    sine.article_data()
    assert np.random.random() == expected


def test_article_data_noise_is_the_asked_std():
    noisy, clean = sine.article_data(noise=0.3)
    assert abs(np.std(noisy - clean) - 0.3) < 0.02
    assert np.array_equal(*sine.article_data(noise=0.0))


def test_make_windows_pairs_each_window_with_the_next_value():
    series = np.arange(8.0)
    X, y = sine.make_windows(series, 3)
    assert X.shape == (5, 3, 1) and y.shape == (5, 1)
    assert X[0, :, 0].tolist() == [0, 1, 2] and y[0, 0] == 3
    assert X[-1, :, 0].tolist() == [4, 5, 6] and y[-1, 0] == 7
    assert np.all(X[:, :, 0].max(axis=1) < y[:, 0])  # no window holds its target or later


def test_splits_never_leak():
    series = np.arange(1000.0)
    s = sine.make_splits(series, window=40, train_size=800, val_size=100)
    assert list(s.targets["train"]) == list(range(40, 700))
    assert list(s.targets["val"]) == list(range(700, 800))
    assert list(s.targets["test"]) == list(range(800, 1000))
    X_train, y_train = s.train
    assert X_train.max() < 700 and y_train.max() < 700  # nothing from validation or test reaches training
    for (X, y), r in ((s.val, s.targets["val"]), (s.test, s.targets["test"])):
        assert y[:, 0].tolist() == list(r)
        assert np.all(X[:, -1, 0] == y[:, 0] - 1)  # each input ends right before its target


@pytest.mark.parametrize("call, message", [
    (lambda: sine.make_windows([0.0, np.nan, 1.0, 2.0], 2), "series contains NaN"),
    (lambda: sine.make_windows(np.zeros(10), 10), "window (10) must be shorter than the series (10 values)"),
    (lambda: sine.make_windows(np.zeros(10), 0), "window must be an integer >= 1, got 0"),
    (lambda: sine.make_windows(np.zeros(10), -3), "window must be an integer >= 1, got -3"),
    (lambda: sine.make_windows(np.zeros((10, 2)), 3), "series must be 1-D, got 2-D array of shape (10, 2)"),
    (lambda: sine.make_splits(np.zeros(1000), 40, 800, val_size=0), "val_size must be an integer in [1, 1000], got 0"),
    (lambda: sine.make_splits(np.zeros(800), 40, 800, val_size=100), "train_size must be an integer in [1, 799], got 800"),
    (lambda: sine.make_splits(np.zeros(1000), 750, 800, val_size=100),
     "train_size (800) must exceed val_size (100) + window (750)"),
    (lambda: sine.make_splits(np.zeros(1000), 60, train_size=50), "train_size (50) must exceed val_size (100)"),
    (lambda: sine.make_splits(np.zeros(1000), 1200), "window (1200) must be shorter than the series (1000"),
    (lambda: sine.train_source([1.0]), "train_series needs 2 to 100,000 values"),
    (lambda: sine.train_source(np.zeros(5), epochs=0), "epochs must be an integer in [1, 10000], got 0"),
    (lambda: sine.run("magic"), "approach must be one of ('source', 'course', 'persistence', 'one-value', "
                                "'least-squares', 'ridge', 'known-form'), got 'magic'"),
    (lambda: CourseConfig(window=10, highway=11), "highway must be an integer in [0, 10], got 11"),
    (lambda: sine.article_data(noise=-1), "noise must be in [0.0, 10.0], got -1.0"),
    (lambda: sine.persistence_mse(np.zeros(5), 5), "start must be an integer in [1, 4], got 5"),
    (lambda: sine.evaluate(Echo(), np.zeros(1000), np.zeros(999), 5), "same shape, got (1000,) and (999,)"),
    (lambda: CourseConfig(batch_size=0), "batch_size must be an integer in [1, 100000], got 0"),
    (lambda: CourseConfig(forget_bias=float("nan")), "forget_bias must be a finite number, got nan"),
    (lambda: CourseConfig(seed=-1), "seed must be an integer in [0, 4294967295], got -1"),
    (lambda: sine.predict_next(Echo(), np.zeros((5, 10, 2))), "X must have shape (samples, steps, 1)"),
    (lambda: sine.evaluate(Echo(), np.zeros(1000), np.zeros(1000), 5, noise=-0.1), "noise must be in [0.0, 10.0]"),
    (lambda: sine.train_course(np.sin(np.arange(1000.0)) * 1e19, TINY, "cpu", progress=False),
     "training diverged at epoch 1"),
    (lambda: CourseConfig(lr_decay=1.5), "lr_decay must be in [0.001, 1.0], got 1.5"),
    (lambda: sine.free_run(Echo(), [], 3), "history is empty"),
    (lambda: sine.free_run(Echo(), [1.0], 0), "steps must be an integer in [1, 100000], got 0"),
])
def test_bad_input_says_what_is_wrong(call, message):
    with pytest.raises(ValueError) as info:
        call()
    assert message in str(info.value)


# ---------------------------------------------------------------- training

@pytest.mark.parametrize("device", DEVICES)
def test_course_training_runs_on_the_device(device):
    noisy, clean = sine.article_data()
    seen = []
    result = sine.train_course(noisy, TINY, device, progress=False,
                               on_epoch=lambda tr, va: seen.append((len(tr), len(va))))
    assert seen == [(1, 1), (2, 2)]  # the live-curve callback sees every epoch
    assert {p.device.type for p in result.model.parameters()} == {device}
    assert result.device == device and len(result.val_losses) == 2
    assert result.train_losses[1] < result.train_losses[0]
    ev = sine.evaluate(result.model, noisy, clean, TINY.window)
    assert ev.pred_next.shape == ev.free.shape == (200,)
    assert np.isfinite([ev.mse_next_noisy, ev.mse_next_clean, ev.freerun_rmse_clean]).all()


@pytest.mark.parametrize("device", DEVICES)
def test_source_training_feeds_one_value_at_a_time(device):
    result = sine.train_source(np.sin(np.arange(30.0)), epochs=2, device=device, progress=False)
    assert result.window == 1 and len(result.train_losses) == 2 and result.device == device
    assert result.model.rnn.hidden_size == 64 and result.val_losses == []


def test_course_training_is_bit_reproducible_on_cpu():
    noisy, _ = sine.article_data()
    a, b = (sine.train_course(noisy, TINY, "cpu", progress=False) for _ in range(2))
    assert a.train_losses == b.train_losses and a.val_losses == b.val_losses
    for (name, pa), pb in zip(a.model.state_dict().items(), b.model.state_dict().values()):
        assert torch.equal(pa, pb), name
    c = sine.train_course(noisy, CourseConfig(**{**TINY.__dict__, "seed": 1}), "cpu", progress=False)
    assert c.train_losses != a.train_losses  # the seed matters


def test_early_stopping_keeps_the_best_weights():
    noisy, _ = sine.article_data()
    config = CourseConfig(window=10, hidden=8, lr=0.2, max_epochs=30, patience=2, val_size=50)
    result = sine.train_course(noisy, config, "cpu", progress=False)
    assert len(result.val_losses) == result.best_epoch + 3 < 30  # stopped `patience` epochs after the best
    X, y = sine.make_splits(noisy, 10, val_size=50).val
    kept = float(np.mean((sine.predict_next(result.model, X) - y[:, 0]) ** 2))
    assert kept == pytest.approx(min(result.val_losses), rel=1e-5)


def test_the_model_sets_the_forget_bias_like_torchkit():
    torch.manual_seed(0)
    model = sine.make_model(8, forget_bias=2.0)
    b = (model.rnn.bias_ih_l0 + model.rnn.bias_hh_l0).detach()
    assert torch.equal(b[8:16], torch.full((8,), 2.0))
    torch.manual_seed(0)
    plain = sine.make_model(8)
    assert torch.equal(b[:8], (plain.rnn.bias_ih_l0 + plain.rnn.bias_hh_l0).detach()[:8])  # other gates untouched
    torch.manual_seed(0)
    assert torch.equal(set_forget_bias(plain.rnn, 2.0).bias_ih_l0, model.rnn.bias_ih_l0)


def test_cli_bad_epochs_is_a_usage_error():
    done = subprocess.run([sys.executable, "-m", "lstm_course.topics.sine", "--epochs", "-1"],
                          capture_output=True, text=True)
    assert done.returncode == 2 and "argument --epochs: must be in [1, 10000], got -1" in done.stderr
    assert "Traceback" not in done.stderr


# ---------------------------------------------------------------- evaluation

def test_an_echo_scores_exactly_the_persistence_baseline():
    noisy, clean = sine.article_data()
    ev = sine.evaluate(Echo(), noisy, clean, window=5)
    assert ev.mse_persistence == pytest.approx(np.mean((noisy[800:] - noisy[799:999]) ** 2))
    assert ev.mse_next_noisy == pytest.approx(ev.mse_persistence)
    assert ev.noise_floor == pytest.approx(0.01)
    assert np.all(ev.free == np.float32(noisy[799]))  # free-running, an echo repeats its last input forever
    assert 0.0222 < ev.mse_persistence < 0.0232


def test_free_run_feeds_predictions_back():
    class PlusOne(nn.Module):
        def forward(self, x):
            return x[:, -1] + 1

    assert sine.free_run(PlusOne(), [0.0, 5.0], steps=4).tolist() == [6, 7, 8, 9]


# ---------------------------------------------------------------- command line

def test_cli_json_has_the_benchmark_keys(capsys):
    assert sine.main(["--approach", "course", "--epochs", "1", "--device", "cpu", "--json", "--no-progress"]) == 0
    row = json.loads(capsys.readouterr().out)
    assert tuple(row) == sine.ROW_KEYS
    assert row["approach"] == "course" and row["device"] == "cpu" and row["epochs"] == 1
    assert row["mse_persistence"] == pytest.approx(sine.persistence_mse(sine.article_data()[0]))


def test_cli_compare_gives_both_rows_and_ratios(capsys):
    assert sine.main(["--compare", "--epochs", "1", "--device", "cpu", "--no-progress", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [row["approach"] for row in out["rows"]] == list(sine.APPROACHES)
    source, course, ridge = out["rows"][0], out["rows"][1], out["rows"][5]
    assert out["ratios_source_over_course"]["mse_next_clean"] == pytest.approx(
        source["mse_next_clean"] / course["mse_next_clean"])
    assert out["ratios_over_ridge"]["course"]["freerun_rmse_clean"] == pytest.approx(
        course["freerun_rmse_clean"] / ridge["freerun_rmse_clean"])
    table = sine.format_rows(out["rows"]).splitlines()
    assert len(table) == 8 and table[0].split() == list(sine.ROW_KEYS) and table[1].split()[0] == "source"


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_cli_refuses_missing_cuda():
    done = subprocess.run([sys.executable, "-m", "lstm_course.topics.sine", "--device", "cuda", "--json"],
                          capture_output=True, text=True)
    assert done.returncode == 2 and "device 'cuda' was asked for but this machine has none" in done.stderr




def _row(**values):
    row = {"approach": "course", "device": "cpu", "epochs": 1, "train_seconds": 1.0, "mse_next_noisy": 0.5,
           "mse_next_clean": 0.25, "mse_persistence": 0.1, "freerun_rmse_clean": 2.0}
    return {**row, **values}


@pytest.mark.parametrize("call, error, message", [
    (lambda: sine.compare_ratios(_row(), {"train_seconds": 1.0}), ValueError, "course must have the keys"),
    (lambda: sine.compare_ratios(_row(), _row(train_seconds=0.0)), ValueError, "course['train_seconds'] must be in"),
    (lambda: sine.compare_ratios(_row(), _row(mse_next_clean=float("nan"))), ValueError,
     "course['mse_next_clean'] must be a finite number"),
    (lambda: sine.compare_ratios([], _row()), TypeError, "source must be a dict"),
    (lambda: sine.format_rows([_row(), {"approach": "x"}]), ValueError, "rows[1] must have the keys"),
    (lambda: sine.format_rows(_row()), TypeError, "rows must be a list of benchmark rows"),
])
def test_benchmark_rows_are_checked(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)


def test_benchmark_rows_still_compare_and_print():
    assert sine.compare_ratios(_row(train_seconds=4.0), _row())["train_seconds"] == 4.0
    assert "course" in sine.format_rows([_row()])


def test_predict_next_restores_the_mode_and_source_steps_through_optimizer_step(monkeypatch):
    from lstm_course import torchkit
    model = sine.make_model(4)
    model.train()
    sine.predict_next(model, np.zeros((2, 3, 1)))
    assert model.training
    steps = []
    monkeypatch.setattr(sine, "optimizer_step", lambda opt, loss: steps.append(1) or torchkit.optimizer_step(opt, loss))
    sine.train_source(np.linspace(0, 1, 5), epochs=2, device="cpu", progress=False)
    assert len(steps) == 8


def test_command_line_devices_are_torchkits():
    import inspect

    from lstm_course.torchkit import DEVICES
    assert DEVICES == ("auto", "cpu", "cuda", "mps")
    assert "choices=DEVICES" in inspect.getsource(sine.main if hasattr(sine, "main") else sine)
