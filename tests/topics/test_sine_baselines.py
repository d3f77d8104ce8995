"""Tests of notebook 07's baselines in lstm_course.topics.sine: the linear autoregressions, rolling-origin
cross-validation that never reads the test part, the known-form limit, and their command-line rows."""

import json

import numpy as np
import pytest
import torch

from lstm_course.topics import sine

NOISY, CLEAN = sine.article_data()
SMALL = dict(windows=(5, 20, 60), lambdas=(1.0, 100.0))   # a small grid: the tests need the logic, not the best fit


# ---------------------------------------------------------------- the linear autoregression

def test_fit_ar_recovers_a_known_recursion():
    # a clean sinusoid obeys s_t = 2 cos(w) s_(t-1) - s_(t-2): least squares on two values finds it exactly
    s = np.sin(sine.OMEGA * np.arange(300) + 0.3)
    model = sine.fit_ar(s, 2)
    assert model.coef == pytest.approx([-1.0, 2 * np.cos(sine.OMEGA)], abs=1e-9)
    assert model.intercept == pytest.approx(0.0, abs=1e-9) and model.parameters == 3
    assert model.predict(s, 250, 300) == pytest.approx(s[250:300], abs=1e-9)
    assert model.free_run(s[:250], 50) == pytest.approx(s[250:300], abs=1e-7)


def test_fit_ar_uses_only_its_targets_and_ridge_shrinks():
    series = np.r_[np.sin(np.arange(100.0)), np.full(50, 1e6)]        # junk after the fitted targets
    a, b = sine.fit_ar(series, 3, start=3, stop=100), sine.fit_ar(series[:100], 3)
    assert np.array_equal(a.coef, b.coef) and a.intercept == b.intercept
    ridge = sine.fit_ar(series[:100], 3, lam=1e3)
    assert np.linalg.norm(ridge.coef) < np.linalg.norm(b.coef) and ridge.lam == 1e3


def test_one_value_predictor_is_the_echo_slope():
    f = sine.one_value_forecast(NOISY)
    a = f.settings["coef"][0]
    assert 0.97 < a < 0.98 and f.parameters == 2                      # 0.977: almost "repeat the last value"
    X, y = NOISY[:799], NOISY[1:800]
    slope, intercept = np.polyfit(X, y, 1)
    assert a == pytest.approx(slope) and f.settings["intercept"] == pytest.approx(intercept, abs=1e-12)


# ---------------------------------------------------------------- rolling-origin cross-validation

def test_rolling_origin_folds_walk_forward_to_the_end():
    assert sine.rolling_origin_folds(800) == [(400, 500), (500, 600), (600, 700), (700, 800)]
    assert sine.rolling_origin_folds(10, 2, 3) == [(4, 7), (7, 10)]


def test_cross_validation_fits_only_on_the_past_of_each_fold():
    seen = []

    def spy(series, start):
        seen.append((len(series), start))
        return np.zeros(len(series) - start)

    scores = sine.cross_validate(NOISY[:800], spy)
    assert seen == [(500, 400), (600, 500), (700, 600), (800, 700)]
    assert scores == pytest.approx([np.mean(NOISY[a:a + 100] ** 2) for a in (400, 500, 600, 700)])


def test_the_choice_never_reads_the_test_part():
    changed = NOISY.copy()
    changed[800:] = 50.0 * np.cos(np.arange(200))                     # a test part nothing like the training part
    a, b = sine.ar_forecast(NOISY, **SMALL), sine.ar_forecast(changed, **SMALL)
    assert (a.settings["window"], a.settings["lam"]) == (b.settings["window"], b.settings["lam"])
    assert a.settings["cv_mse"] == b.settings["cv_mse"]
    assert np.array_equal(a.free, b.free)                              # the free run starts from training values only
    assert not np.array_equal(a.pred_next, b.pred_next)               # one-step predictions do read the test inputs


def test_choose_by_cv_takes_the_lowest_mean():
    good = lambda series, start: series[start - 1:-1]                 # persistence  # noqa: E731
    bad = lambda series, start: np.zeros(len(series) - start)         # noqa: E731
    best, scores = sine.choose_by_cv(NOISY[:800], {"good": good, "bad": bad})
    assert best == "good" and scores["good"].mean() < scores["bad"].mean() and scores["bad"].shape == (4,)


def test_ridge_is_chosen_inside_the_grid_and_beats_least_squares():
    ridge = sine.ar_forecast(NOISY, lambdas=sine.RIDGE_LAMBDAS)
    ls = sine.ar_forecast(NOISY)
    w, lam = ridge.settings["window"], ridge.settings["lam"]
    assert w in sine.RIDGE_WINDOWS and lam in sine.RIDGE_LAMBDAS and w < max(sine.RIDGE_WINDOWS)
    assert len(ridge.settings["cv_mse"]) == len(sine.RIDGE_WINDOWS) * len(sine.RIDGE_LAMBDAS)
    assert ridge.settings["cv_mse"][(w, lam)] == min(ridge.settings["cv_mse"].values())
    assert ls.settings["lam"] == 0.0 and ridge.parameters == w + 1
    e_r, e_l = sine.judge(ridge, NOISY, CLEAN), sine.judge(ls, NOISY, CLEAN)
    assert e_r.mse_next_clean < e_l.mse_next_clean and e_r.freerun_rmse_clean < e_l.freerun_rmse_clean


# ---------------------------------------------------------------- the limit and the table

def test_known_form_is_exact_on_a_clean_sine_and_uses_only_the_past():
    f = sine.known_form_forecast(CLEAN)
    assert f.pred_next == pytest.approx(CLEAN[800:], abs=1e-9) and f.free == pytest.approx(CLEAN[800:], abs=1e-9)
    g = sine.known_form_forecast(NOISY)
    t = np.arange(1000)
    B = np.c_[np.sin(sine.OMEGA * t), np.cos(sine.OMEGA * t)]
    for k in (800, 901, 999):                                         # the fit on every value before k
        AB = np.linalg.lstsq(B[:k], NOISY[:k], rcond=None)[0]
        assert g.pred_next[k - 800] == pytest.approx(B[k] @ AB)
    assert g.parameters == 2


def test_baselines_rank_as_the_notebook_teaches():
    ev = {name: sine.judge(f, NOISY, CLEAN) for name, f in sine.baseline_forecasts(NOISY).items()}
    assert list(ev) == ["persistence", "one-value", "least-squares AR", "ridge AR", "known form"]
    assert ev["persistence"].mse_next_noisy == pytest.approx(sine.persistence_mse(NOISY))
    clean = [e.mse_next_clean for e in ev.values()]
    assert clean == sorted(clean, reverse=True)                        # each row better than the one before
    assert ev["known form"].mse_next_clean < 0.0001 and ev["known form"].freerun_rmse_clean < 0.01


def test_judge_matches_evaluate_for_the_same_predictions():
    class Echo(sine.nn.Module):
        def forward(self, x):
            return x[:, -1]

    via_model = sine.evaluate(Echo(), NOISY, CLEAN, 1)
    via_forecast = sine.judge(sine.persistence_forecast(NOISY), NOISY, CLEAN)
    assert via_forecast.mse_next_noisy == pytest.approx(via_model.mse_next_noisy)
    assert via_forecast.freerun_rmse_clean == pytest.approx(via_model.freerun_rmse_clean)


@pytest.mark.parametrize("call, error, message", [
    (lambda: sine.fit_ar(NOISY, 3, lam=-1.0), ValueError, "lam must be in [0.0, 1000000000000.0], got -1.0"),
    (lambda: sine.fit_ar(NOISY, 3, start=2), ValueError, "start must be an integer in [3, 999], got 2"),
    (lambda: sine.fit_ar(NOISY, 3, start=10, stop=10), ValueError, "stop must be an integer in [11, 1000], got 10"),
    (lambda: sine.fit_ar(NOISY, 0), ValueError, "window must be an integer >= 1, got 0"),
    (lambda: sine.fit_ar(NOISY, 3).free_run([1.0], 5), ValueError, "history must hold at least window = 3 values"),
    (lambda: sine.rolling_origin_folds(400, 4, 100), ValueError, "folds * fold_size (4 * 100) must be less than n (400)"),
    (lambda: sine.cross_validate(NOISY[:800], 3), TypeError, "fit_predict must be a function"),
    (lambda: sine.cross_validate(NOISY[:800], lambda s, a: np.zeros(3)), ValueError,
     "fit_predict must return one prediction per target of [400, 500), shape (100,), got (3,)"),
    (lambda: sine.cross_validate(NOISY[:800], lambda s, a: "x"), ValueError, "fit_predict's predictions must be"),
    (lambda: sine.choose_by_cv(NOISY[:800], {}), ValueError, "candidates must hold at least one setting"),
    (lambda: sine.choose_by_cv(NOISY[:800], [1]), TypeError, "candidates must be a dict"),
    (lambda: sine.ar_forecast(NOISY, windows=()), ValueError, "windows must hold at least one candidate"),
    (lambda: sine.ar_forecast(NOISY, windows=(900,)), ValueError, "windows must be an integer in [1, 799], got 900"),
    (lambda: sine.ar_forecast(NOISY, lambdas=(float("nan"),)), ValueError, "lambdas must be a finite number"),
    (lambda: sine.ar_forecast(NOISY, lambdas=5.0), TypeError, "lambdas must be a tuple of candidate values"),
    (lambda: sine.known_form_forecast(NOISY, omega=0.0), ValueError, "omega must be in [1e-09, 3.14"),
    (lambda: sine.persistence_forecast(NOISY, train_size=1000), ValueError, "train_size must be an integer in [2, 999]"),
    (lambda: sine.persistence_forecast([1.0, 2.0]), ValueError, "noisy needs at least 3 values"),
    (lambda: sine.judge("forecast", NOISY, CLEAN), TypeError, "forecast must be a sine.Forecast"),
    (lambda: sine.judge(sine.persistence_forecast(NOISY), NOISY, CLEAN, train_size=700), ValueError,
     "forecast must cover the test part, 300 values"),
    (lambda: sine.ratios_over([], "ridge"), ValueError, "reference must be the approach of one of the rows"),
])
def test_bad_input_says_what_is_wrong(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)


# ---------------------------------------------------------------- command line

@pytest.mark.parametrize("approach", list(sine.BASELINES))
def test_cli_baseline_rows_have_the_benchmark_keys(approach, capsys):
    assert sine.main(["--approach", approach, "--json", "--no-progress"]) == 0
    row = json.loads(capsys.readouterr().out)
    assert tuple(row) == sine.ROW_KEYS and row["approach"] == approach and row["epochs"] == 0
    assert row["mse_persistence"] == pytest.approx(sine.persistence_mse(NOISY))
    assert row["mse_next_noisy"] > row["mse_next_clean"] > 0 and row["train_seconds"] >= 0


def test_ratios_over_a_reference_row():
    rows = [sine.run(a) for a in ("ridge", "known-form")]
    ratios = sine.ratios_over(rows, "ridge")
    assert ratios["ridge"]["mse_next_clean"] == pytest.approx(1.0)
    assert ratios["known-form"]["mse_next_clean"] == pytest.approx(rows[1]["mse_next_clean"] / rows[0]["mse_next_clean"])
    assert ratios["known-form"]["mse_next_clean"] < 0.5


# ---------------------------------------------------------------- the LSTM's settings, Mackey-Glass, the sweep

TINY = sine.CourseConfig(window=10, hidden=4, batch_size=64, max_epochs=2, patience=2, val_size=50)


def test_choose_config_trains_each_candidate_on_each_fold_past_only(monkeypatch):
    calls = []
    real = sine.train_course

    def spy(series, config, device, progress, train_size):
        calls.append((len(series), train_size, config.forget_bias))
        return real(series, config, device, progress=progress, train_size=train_size)

    monkeypatch.setattr(sine, "train_course", spy)
    configs = {b: sine.CourseConfig(**{**TINY.__dict__, "forget_bias": b}) for b in (0.0, 2.0)}
    best, scores = sine.choose_config(NOISY[:800], configs, folds=2, fold_size=100)
    assert calls == [(700, 600, 0.0), (800, 700, 0.0), (700, 600, 2.0), (800, 700, 2.0)]
    assert best in (0.0, 2.0) and scores[best].mean() == min(v.mean() for v in scores.values())


def test_highway_lam_starts_the_model_as_the_ridge_ar_and_holds_it():
    config = sine.CourseConfig(window=20, hidden=4, highway=20, highway_lam=10.0, max_epochs=1, patience=1)
    at_start = sine.CourseConfig(**{**config.__dict__, "lr": 1e-8})
    result = sine.train_course(NOISY, at_start, "cpu", progress=False)
    ar = sine.fit_ar(NOISY[:800], 20, 10.0, 20, 700)                  # the training windows' targets only
    X, _ = sine.windows_for_targets(NOISY, 20, 800, 1000, "test")
    assert sine.predict_next(result.model, X) == pytest.approx(ar.predict(NOISY, 800, 1000), abs=1e-4)
    moved = sine.train_course(NOISY, config, "cpu", progress=False).model
    assert torch.equal(moved.highway.weight, result.model.highway.weight)   # held fixed while the LSTM trains
    assert not moved.highway.weight.requires_grad


def test_mackey_glass_is_seeded_chaotic_and_standardised():
    a, b, c = sine.mackey_glass(300, seed=0), sine.mackey_glass(300, seed=0), sine.mackey_glass(300, seed=1)
    assert np.array_equal(a, b) and not np.allclose(a, c)
    assert 0.2 < a.min() < a.max() < 1.5                               # the attractor's range
    z, clean, noise = sine.mackey_glass_data(0)
    assert z is clean and noise == 0.0 and z.shape == (1000,)
    assert z[:800].mean() == pytest.approx(0.0, abs=1e-12) and z[:800].std() == pytest.approx(1.0)
    # one Euler step of dx/dt = 0.2 x(t - 17) / (1 + x(t - 17)^10) - 0.1 x(t), dt = 0.1, sampled every step
    x = sine.mackey_glass(400, step=0.1, discard=0.0, seed=3)
    k = 300
    d = x[k - 170]
    assert x[k + 1] == pytest.approx(x[k] + 0.1 * (0.2 * d / (1 + d ** 10) - 0.1 * x[k]))


def test_sweep_rows_and_summary():
    rows = sine.sweep("sine", seeds=((42, 0), (1, 1)), configs={"tiny": TINY}, progress=False)
    assert [r["approach"] for r in rows[:6]] == ["persistence", "one-value", "least-squares AR", "ridge AR",
                                                 "known form", "tiny"]
    assert len(rows) == 12 and {r["data_seed"] for r in rows} == {42, 1}
    first = sine.judge(sine.ar_forecast(NOISY, lambdas=sine.RIDGE_LAMBDAS), NOISY, CLEAN)
    assert rows[3]["mse_next_clean"] == pytest.approx(first.mse_next_clean)   # seed 42 is the article's data
    summary = sine.summarize(rows)
    clean = [r["mse_next_clean"] for r in rows if r["approach"] == "tiny"]
    assert summary["tiny"]["mse_next_clean"] == pytest.approx((np.mean(clean), np.std(clean, ddof=1),
                                                               min(clean), max(clean)))
    assert summary["tiny"]["parameters"][0] == 4 * 4 * (1 + 4 + 2) + 5
    assert len(sine.format_summary(summary).splitlines()) == 7
    mg = sine.sweep("mackey-glass", seeds=((0, 0),), progress=False)
    assert [r["approach"] for r in mg] == ["persistence", "one-value", "least-squares AR", "ridge AR"]


@pytest.mark.parametrize("call, error, message", [
    (lambda: sine.sweep("noise"), ValueError, "dataset must be one of ('sine', 'mackey-glass'), got 'noise'"),
    (lambda: sine.sweep(seeds=()), ValueError, "seeds must hold at least one"),
    (lambda: sine.sweep(seeds=((1, 2, 3),)), ValueError, "seeds must hold (data seed, model seed) pairs"),
    (lambda: sine.sweep(seeds=((-1, 0),)), ValueError, "data seed must be an integer"),
    (lambda: sine.sweep(configs={"x": 3}), TypeError, "configs['x'] must be CourseConfig"),
    (lambda: sine.summarize([]), ValueError, "rows must hold at least one sweep row"),
    (lambda: sine.summarize([{"approach": "x"}]), ValueError, "rows[0] must have the keys"),
    (lambda: sine.choose_config(NOISY[:800], {"a": "b"}), TypeError, "configs['a'] must be CourseConfig"),
    (lambda: sine.CourseConfig(highway_lam=1.0), ValueError, "highway_lam needs a highway"),
    (lambda: sine.CourseConfig(highway=5, highway_lam=-1.0), ValueError, "highway_lam must be in [0.0"),
    (lambda: sine.mackey_glass(10, step=0.15), ValueError, "must be whole multiples of dt"),
    (lambda: sine.mackey_glass(1), ValueError, "n must be an integer in [2, 100000], got 1"),
])
def test_sweep_bad_input_says_what_is_wrong(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)


# ---------------------------------------------------------------- CPU against GPU

def test_step_times_time_one_step_per_batch_and_device():
    rows = sine.step_times((4, 16), devices=("cpu",), config=TINY, repeats=2)
    assert [(r["device"], r["batch"]) for r in rows] == [("cpu", 4), ("cpu", 16)]
    assert all(0 < r["seconds"] < 5 for r in rows)
    with pytest.raises(ValueError, match="batch_sizes must be an integer in"):
        sine.step_times((0,), devices=("cpu",))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device here: the CPU/GPU timing runs where one exists")
def test_step_times_put_cpu_and_gpu_side_by_side():
    rows = sine.step_times((32, 4096), devices=("cpu", "cuda"), repeats=2)
    assert [(r["device"], r["batch"]) for r in rows] == [("cpu", 32), ("cpu", 4096), ("cuda", 32), ("cuda", 4096)]
    assert all(r["seconds"] > 0 for r in rows)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device here: the GPU sweep runs where one exists")
def test_the_sweep_trains_on_the_gpu():
    rows = sine.sweep("sine", seeds=((42, 0),), configs={"tiny": TINY}, baselines=False, device="cuda",
                      progress=False)
    assert len(rows) == 1 and np.isfinite(rows[0]["mse_next_clean"])


def test_config_grid_is_every_combination_of_course_config_fields():
    grid = sine.config_grid(sine.MG_CONFIG, sine.MG_GRID)
    assert len(grid) == 3 * 2 * 2 and grid[(10, 32, 1.0)] == sine.MG_CONFIG
    assert {c.max_epochs for c in grid.values()} == {sine.MG_CONFIG.max_epochs}   # the rest kept from the base
    with pytest.raises(ValueError, match=r"grid must name CourseConfig fields, got \['hiden'\]"):
        sine.config_grid(sine.MG_CONFIG, {"hiden": (8,)})
    with pytest.raises(TypeError, match="base"):
        sine.config_grid({"hidden": 8}, sine.MG_GRID)


def test_the_cross_validated_settings_come_from_their_grids():
    """HIGHWAY_CONFIG and MG_CONFIG are points of the grids benchmarks/sine_sweep.py --parts cv-settings ranks."""
    for config, grid in ((sine.HIGHWAY_CONFIG, sine.HIGHWAY_GRID), (sine.MG_CONFIG, sine.MG_GRID)):
        assert tuple(getattr(config, name) for name in grid) in sine.config_grid(config, grid)
