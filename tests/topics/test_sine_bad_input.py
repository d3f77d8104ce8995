"""Property tests: bad input to notebook 07's code (topics.sine, its panels and plots), torchkit, validate and
environment gets a TypeError or ValueError raised by the course itself, naming the argument: never a
traceback from inside NumPy, torch or matplotlib, never a silent result, never minutes of work."""

import json
import math
from pathlib import Path

import numpy as np
import pytest
import torch
from bad_input import assert_clear
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from torch import nn

from lstm_course import environment, torchkit
from lstm_course import validate as v
from lstm_course.classroom import panels, plots
from lstm_course.topics import sine

torch.set_num_threads(1)
PACKAGE = Path(sine.__file__).resolve().parents[1]
FAST = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

NOISY, CLEAN = sine.article_data()
MODEL = sine.make_model(4)
TINY = sine.CourseConfig(window=10, hidden=4, max_epochs=1, patience=1, val_size=50)



# ---------------------------------------------------------------- bad values, by kind

junk = st.one_of(st.none(), st.text(max_size=5), st.complex_numbers(allow_nan=False).filter(lambda z: z.imag != 0),
                 st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=2), st.integers(), max_size=1),
                 st.just(object()), st.just(np.zeros(2)), st.just(torch.zeros(1)))
bad_ints = st.one_of(junk, st.booleans(), st.floats(allow_nan=True), st.integers(max_value=0),
                     st.integers(min_value=10**12))
bad_seeds = st.one_of(junk, st.booleans(), st.floats(), st.integers(max_value=-1), st.integers(min_value=2**32))
bad_noise = st.one_of(junk, st.booleans(), st.sampled_from([math.nan, math.inf, -math.inf]),
                      st.floats(max_value=-1e-9), st.floats(min_value=10.001, allow_infinity=False))


def _poison(series, where, what):
    series = np.array(series, dtype=complex if isinstance(what, complex) else float)
    series[where % len(series)] = what
    return series


bad_series = st.one_of(
    junk.filter(lambda x: not isinstance(x, (list, np.ndarray, torch.Tensor))),
    st.builds(_poison, st.just(NOISY), st.integers(0, 999), st.sampled_from([math.nan, math.inf, -math.inf, 1j])),
    st.just([[1.0, 2.0], [3.0]]), st.just(["a"] * 1000), st.just(np.zeros((1000, 2))), st.just(np.zeros(0)),
)


# ---------------------------------------------------------------- topics.sine

@FAST
@given(bad_noise)
def test_article_data_and_noise_view_refuse_bad_noise(noise):
    assert_clear(lambda: sine.article_data(noise), "noise")
    assert_clear(lambda: panels.noise_view(noise), "noise")
    assert_clear(lambda: sine.evaluate(MODEL, NOISY, CLEAN, 10, noise=noise), "noise")


@FAST
@given(bad_seeds)
def test_seeds_are_checked_everywhere(seed):
    assert_clear(lambda: sine.article_data(0.1, seed if seed is not None else -1), "seed")
    assert_clear(lambda: sine.CourseConfig(seed=seed), "seed")
    assert_clear(lambda: sine.train_source(np.zeros(5), epochs=1, seed=seed, progress=False), "seed")
    assert_clear(lambda: torchkit.seed_everything(seed, torch.device("cpu")), "seed")
    assert_clear(lambda: panels.noise_view(0.1, seed if seed is not None else 2**40), "seed")


@FAST
@given(bad_series)
def test_series_functions_refuse_bad_series(series):
    for call, name in [(lambda: sine.make_windows(series, 3), "series"),
                       (lambda: sine.make_splits(series, 10), "series"),
                       (lambda: sine.windows_for_targets(series, 3, 5, 8), "series"),
                       (lambda: sine.persistence_mse(series, 1), "series"),
                       (lambda: sine.train_course(series, TINY, "cpu", progress=False), "series"),
                       (lambda: sine.train_source(series, epochs=1, progress=False), "train_series"),
                       (lambda: sine.evaluate(MODEL, series, CLEAN, 10), "noisy"),
                       (lambda: sine.evaluate(MODEL, NOISY, series, 10), "clean"),
                       (lambda: sine.free_run(MODEL, series, 3), "history")]:
        msg = assert_clear(call, name.split("_")[0] if name == "series" else name)
        assert name in msg or "series" in msg


@FAST
@given(bad_series)
def test_baselines_refuse_bad_series(series):
    for call, name in [(lambda: sine.fit_ar(series, 3), "series"),
                       (lambda: sine.persistence_forecast(series), "noisy"),
                       (lambda: sine.one_value_forecast(series), "noisy"),
                       (lambda: sine.ar_forecast(series, windows=(5,), lambdas=(1.0,)), "noisy"),
                       (lambda: sine.known_form_forecast(series), "noisy"),
                       (lambda: sine.cross_validate(series, lambda s, a: s[a - 1:-1]), "train_series"),
                       (lambda: sine.fit_ar(NOISY, 3).free_run(series, 3), "history")]:
        assert_clear(call, name)


@FAST
@given(bad_ints)
def test_baseline_sizes_are_integers_in_range(n):
    assert_clear(lambda: sine.fit_ar(NOISY, n), "window")
    assert_clear(lambda: sine.rolling_origin_folds(n), "n")
    assert_clear(lambda: sine.rolling_origin_folds(800, n), "folds")
    assert_clear(lambda: sine.rolling_origin_folds(800, 4, n), "fold_size")
    assert_clear(lambda: sine.ar_forecast(NOISY, windows=(n,)), "windows")
    assert_clear(lambda: sine.fit_ar(NOISY, 3).free_run(NOISY, n), "steps")
    if not (type(n) is int and n == 0):   # 0 is the plain model
        assert_clear(lambda: sine.make_model(4, highway=n), "highway")


@FAST
@given(st.one_of(junk, st.booleans(), st.sampled_from([math.nan, math.inf, -1.0, 1e13])))
def test_baseline_penalties_and_frequency_are_checked(value):
    assert_clear(lambda: sine.fit_ar(NOISY, 3, lam=value), "lam")
    assert_clear(lambda: sine.ar_forecast(NOISY, windows=(5,), lambdas=(value,)), "lambdas")
    assert_clear(lambda: sine.known_form_forecast(NOISY, omega=value), "omega")
    assert_clear(lambda: sine.judge(value, NOISY, CLEAN), "forecast")


@FAST
@given(bad_ints)
def test_sizes_are_integers_in_range(n):
    assert_clear(lambda: sine.make_windows(NOISY, n), "window")
    assert_clear(lambda: sine.make_splits(NOISY, 10, train_size=n), "train_size")
    assert_clear(lambda: sine.make_splits(NOISY, 10, val_size=n), "val_size")
    assert_clear(lambda: sine.free_run(MODEL, NOISY[:10], n), "steps")
    assert_clear(lambda: sine.make_model(n), "hidden")
    assert_clear(lambda: sine.evaluate(MODEL, NOISY, CLEAN, 10, train_size=n), "train_size")
    for field in ("window", "hidden", "batch_size", "max_epochs", "patience", "val_size"):
        assert_clear(lambda: sine.CourseConfig(**{field: n}), field)
    if n is not None:  # None: the article's 100 epochs
        assert_clear(lambda: sine.train_source(np.zeros(5), epochs=n, progress=False), "epochs")


@FAST
@given(st.integers(-10, 1100), st.integers(-10, 300))
def test_splits_name_train_size_or_val_size(train_size, val_size):
    try:
        s = sine.make_splits(NOISY, 60, train_size=train_size, val_size=val_size)
    except ValueError as err:
        assert "train_size" in str(err) or "val_size" in str(err), str(err)
    else:
        assert len(s.train[0]) >= 1 and len(s.val[0]) == val_size and len(s.test[0]) == 1000 - train_size


@FAST
@given(st.one_of(junk, st.booleans(), st.sampled_from([math.nan, math.inf, 1e6, -1e3])))
def test_forget_bias_and_rates_are_checked(value):
    for field in ("forget_bias", "lr", "lr_decay"):
        assert_clear(lambda: sine.CourseConfig(**{field: value}), field)
    if value is not None:  # None: torch's initialisation
        assert_clear(lambda: sine.make_model(4, value), "forget_bias")


@FAST
@given(st.one_of(st.tuples(st.integers(1, 4), st.integers(1, 4), st.integers(2, 5)),
                 st.tuples(st.integers(1, 4), st.integers(1, 4)), st.tuples(st.integers(0, 0), st.integers(1, 3), st.just(1)),
                 st.tuples(st.integers(1, 2), st.integers(1, 2), st.integers(1, 2), st.integers(1, 2))))
def test_predict_next_names_x_and_its_shape(shape):
    msg = assert_clear(lambda: sine.predict_next(MODEL, np.zeros(shape)), "X must")
    assert "(samples, steps, 1)" in msg or "-D" in msg


@FAST
@given(st.one_of(junk, st.just(nn.Linear(1, 1).weight)))
def test_models_must_be_modules(model):
    assert_clear(lambda: sine.predict_next(model, np.zeros((2, 3, 1))), "model")
    assert_clear(lambda: sine.free_run(model, [1.0], 2), "model")
    assert_clear(lambda: sine.evaluate(model, NOISY, CLEAN, 10), "model")


@FAST
@given(st.one_of(junk.filter(lambda x: x is not None), st.integers()))
def test_training_flags_and_callbacks_are_checked(value):
    assert_clear(lambda: sine.train_course(NOISY, TINY, "cpu", progress=value), "progress")
    assert_clear(lambda: sine.train_course(NOISY, TINY, "cpu", progress=False, on_epoch=value), "on_epoch")
    assert_clear(lambda: sine.train_course(NOISY, value, "cpu", progress=False), "config")
    assert_clear(lambda: sine.run(value), "approach")


@FAST
@given(st.floats(min_value=1e19, max_value=1e30))
def test_huge_series_diverge_with_a_clear_error(scale):
    msg = assert_clear(lambda: sine.train_course(np.sin(np.arange(300.0)) * scale,
                                            sine.CourseConfig(window=10, hidden=4, max_epochs=2, patience=2, val_size=50,
                                                              lr=0.5), "cpu", progress=False, train_size=250), "noisy")
    assert "diverged" in msg or "config.lr" in msg


@pytest.mark.parametrize("argv, fragment", [
    (["--epochs", "-1"], "argument --epochs: must be in [1, 10000], got -1"),
    (["--epochs", "1.5"], "argument --epochs: must be a whole number, got '1.5'"),
    (["--threads", "0"], "argument --threads: must be in [1, 10000], got 0"),
    (["--approach", "magic"], "argument --approach: invalid choice"),
])
def test_cli_bad_arguments_are_usage_errors(argv, fragment, capsys):
    with pytest.raises(SystemExit) as info:
        sine.main(argv)
    assert info.value.code == 2 and fragment in capsys.readouterr().err


# ---------------------------------------------------------------- notebook 07's panels and plots

@FAST
@given(bad_noise)
def test_panels_refuse_bad_noise(noise):
    assert_clear(lambda: panels.retrain_view(noise, TINY, "cpu"), "noise")
    assert_clear(lambda: panels.WhatIfPanel(noise=noise, device="cpu"), "noise")


@FAST
@given(st.one_of(junk, st.integers()))
def test_panels_refuse_bad_config(config):
    assert_clear(lambda: panels.retrain_view(0.1, config, "cpu"), "config")
    assert_clear(lambda: panels.WhatIfPanel(config=config, device="cpu"), "config")


@FAST
@given(bad_series, st.sampled_from(["train_losses", "val_losses"]))
def test_loss_pictures_refuse_bad_losses(losses, which):
    if isinstance(losses, np.ndarray) and losses.shape == (0,):
        losses = [-1.0]
    args = {"train_losses": [0.5, 0.2], "val_losses": [0.4]}
    args[which] = losses
    assert_clear(lambda: plots.loss_curve_png(**args), "losses")


@FAST
@given(st.integers(0, 2000))
def test_plot_forecasts_checks_the_evaluation_matches(train_size):
    from matplotlib.figure import Figure

    ev = sine.evaluate(MODEL, NOISY, CLEAN, 10)
    ax = Figure().add_subplot()
    if train_size == sine.TRAIN_SIZE:
        plots.plot_forecasts(ax, NOISY, CLEAN, ev, train_size)
        assert len(ax.lines) >= 4
    else:
        assert_clear(lambda: plots.plot_forecasts(ax, NOISY, CLEAN, ev, train_size), "train_size")


# ---------------------------------------------------------------- torchkit

@FAST
@given(st.one_of(junk.filter(lambda x: not isinstance(x, str)), st.text(min_size=1, max_size=6).filter(lambda s: s.split(":")[0] not in torchkit.DEVICES)))
def test_pick_device_names_the_choices(name):
    assert_clear(lambda: torchkit.pick_device(name), "device must be one of")


@FAST
@given(bad_ints)
def test_torchkit_sizes(n):
    assert_clear(lambda: torchkit.make_recurrent("lstm", n, 2), "input_size")
    assert_clear(lambda: torchkit.make_recurrent("lstm", 1, n), "hidden")
    assert_clear(lambda: torchkit.RecurrentRegressor(out_size=n), "out_size")
    assert_clear(lambda: torchkit.shuffled_batches(10, n, torch.Generator()), "batch_size")
    assert_clear(lambda: torchkit.cpu_threads(n).__enter__(), "n must")
    assert_clear(lambda: torchkit.best_times({"f": lambda: None}, repeats=n), "repeats")


@FAST
@given(st.one_of(junk, st.booleans(), st.sampled_from([math.nan, math.inf, 1e3])))
def test_set_forget_bias_refuses_bad_values(value):
    assert_clear(lambda: torchkit.set_forget_bias(nn.LSTM(1, 2), value), "value")


@FAST
@given(st.integers(1, 3), st.integers(1, 3), st.integers(2, 4))
def test_regressor_names_x_shape(batch, steps, features):
    assert_clear(lambda: torchkit.RecurrentRegressor(input_size=1, hidden=2)(torch.zeros(batch, steps, features)), "x must")


# ---------------------------------------------------------------- validate

@FAST
@given(junk.filter(lambda x: not isinstance(x, (list, np.ndarray, torch.Tensor))) | st.complex_numbers().map(np.array))
def test_as_array_and_as_tensor_refuse_non_real_data(value):
    assert_clear(lambda: v.as_array("data", value), "data")
    assert_clear(lambda: v.as_tensor("data", value), "data")


@FAST
@given(bad_seeds)
def test_check_seed_refuses(value):
    if value is not None:
        assert_clear(lambda: v.check_seed("seed", value), "seed")


@FAST
@given(st.one_of(junk, st.booleans(), st.sampled_from([math.nan, math.inf, -math.inf])))
def test_check_real_refuses(value):
    assert_clear(lambda: v.check_real("rate", value), "rate")


# ---------------------------------------------------------------- environment

@FAST
@given(st.one_of(st.lists(st.integers(), max_size=3), st.integers(), st.text(max_size=5), st.none(), st.booleans(),
                 st.fixed_dictionaries({environment.SUBSHELL_PLUGIN: st.one_of(st.lists(st.integers()), st.text(),
                                                                                 st.integers())})))
def test_overrides_file_that_is_not_an_object_of_objects(tmp_path_factory, content):
    prefix = tmp_path_factory.mktemp("env")
    path = environment.overrides_path(prefix)
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(content))
    assert_clear(lambda: environment.install_lab_overrides(prefix), "overrides.json")
    assert environment.lab_overrides_installed(prefix) is False


@FAST
@given(st.one_of(st.text(max_size=8), st.integers(), st.none(), st.lists(st.integers(), min_size=1, max_size=2)))
def test_package_checks_wants_a_list_of_lines(requirements):
    assert_clear(lambda: environment.package_checks(requirements), "requirements")
