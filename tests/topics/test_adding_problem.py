"""The adding problem: data, models, seeded training, parameter counts and bad input."""

import math

import pytest
import torch

from lstm_course.topics import adding_problem as ap
from lstm_course.torchkit import RecurrentRegressor


def test_each_example_has_two_markers_one_in_each_half_and_their_sum_as_target():
    x, y = ap.adding_batch(20, 256, torch.Generator().manual_seed(0))
    assert x.shape == (256, 20, 2) and y.shape == (256, 1)
    values, markers = x[..., 0], x[..., 1]
    assert torch.all((values >= 0) & (values <= 1))
    assert torch.all(markers.sum(dim=1) == 2)
    assert torch.all(markers[:, :10].sum(dim=1) == 1) and torch.all(markers[:, 10:].sum(dim=1) == 1)
    assert torch.allclose(y[:, 0], (values * markers).sum(dim=1))


def test_always_answering_the_mean_scores_one_sixth():
    _, y = ap.adding_batch(10, 200_000, torch.Generator().manual_seed(1))
    assert float(((y - 1) ** 2).mean()) == pytest.approx(ap.MEAN_MSE, abs=0.002)


def test_batches_repeat_with_the_seed_and_the_test_set_is_fixed():
    a = ap.adding_batch(12, 4, torch.Generator().manual_seed(7))
    b = ap.adding_batch(12, 4, torch.Generator().manual_seed(7))
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])
    assert torch.equal(ap.test_set(12, 5)[0], ap.test_set(12, 5)[0])


def test_first_sign_task_keeps_the_sign_of_the_first_input():
    x, y = ap.first_sign_batch(30, 64, torch.Generator().manual_seed(0), noise=0.1)
    assert x.shape == (64, 30, 1) and torch.equal(x[:, 0], y)
    assert set(y[:, 0].tolist()) == {-1.0, 1.0} and float(x[:, 1:].abs().max()) < 1.0


@pytest.mark.parametrize("D,H", [(2, 32), (1, 7), (10, 128)])
def test_parameter_ratios_are_four_and_three(D, H):
    rnn, gru, lstm = (ap.parameter_count(k, D, H) for k in ap.KINDS)
    assert rnn == H * D + H * H + 2 * H
    assert lstm == 4 * rnn and gru == 3 * rnn


def test_the_model_is_torchkits_regressor_and_reads_the_last_step():
    model = ap.train("gru", T=4, steps=1, batch=2, hidden=8, test_size=4, progress=False).model
    assert isinstance(model, RecurrentRegressor) and isinstance(model.rnn, torch.nn.GRU)
    x = torch.randn(3, 9, 2)
    assert model(x).shape == (3, 1)
    x2 = x.clone()
    x2[:, -1] += 1.0                                          # only the last input changed
    assert not torch.allclose(model(x), model(x2))


def test_training_repeats_bit_for_bit_and_depends_on_the_seed():
    settings = dict(T=8, steps=15, batch=8, hidden=6, test_size=32, progress=False)
    a, b = ap.train("lstm", seed=3, **settings), ap.train("lstm", seed=3, **settings)
    assert a.losses == b.losses and a.test_mse == b.test_mse
    assert ap.train("lstm", seed=4, **settings).losses != a.losses
    assert len(a.losses) == 15 and a.seconds > 0


def test_training_restores_the_thread_count():
    before = torch.get_num_threads()
    ap.train("rnn", T=4, steps=2, batch=4, hidden=3, test_size=4, threads=1, progress=False)
    assert torch.get_num_threads() == before


def test_a_short_run_learns_the_adding_problem_at_small_t():
    result = ap.train("gru", T=6, steps=200, batch=32, hidden=16, test_size=256, progress=False)
    assert result.test_mse < 0.3 * ap.MEAN_MSE


def test_sweep_and_table():
    results = ap.sweep((4, 6), ("rnn", "lstm"), progress=False, steps=3, batch=4, hidden=3, test_size=8)
    assert [(r.T, r.kind) for r in results] == [(4, "rnn"), (4, "lstm"), (6, "rnn"), (6, "lstm")]
    table = ap.format_table(results).splitlines()
    assert len(table) == 5 and table[0].split()[:3] == ["T", "model", "steps"]
    assert table[2].split()[:3] == ["4", "lstm", "3"]
    assert float(table[2].split()[3]) == pytest.approx(results[1].test_mse, abs=5e-5)


def test_cost_table_counts_and_times_every_kind():
    rows = ap.cost_table((4, 8), T=5, batch=4, repeats=1, progress=False)
    assert [(r["kind"], r["hidden"]) for r in rows] == [(k, h) for h in (4, 8) for k in ap.KINDS]
    assert all(r["params"] == ap.parameter_count(r["kind"], 2, r["hidden"]) for r in rows)
    assert all(0 < r["ms_per_step"] < math.inf for r in rows)


def test_remembering_only_the_second_value_scores_one_twelfth():
    x, y = ap.adding_batch(12, 100_000, torch.Generator().manual_seed(2))
    assert ap.second_value_mse(x, y) == pytest.approx(ap.SECOND_ONLY_MSE, abs=0.002)
    u1 = y - (x[:, 6:, 0] * x[:, 6:, 1]).sum(dim=1, keepdim=True)          # the first marked value
    assert ap.second_value_mse(x, y) == pytest.approx(float(((u1 - 0.5) ** 2).mean()), rel=1e-5)


def test_sign_accuracy_counts_matching_signs():
    class Echo(torch.nn.Module):                                  # answers the first input
        def forward(self, x):
            return x[:, 0]
    x, y = ap.first_sign_batch(6, 50, torch.Generator().manual_seed(0))
    assert ap.sign_accuracy(Echo(), x, y) == 1.0 and ap.sign_accuracy(Echo(), x, -y) == 0.0


def test_the_per_step_parts_of_the_input_gradient_add_up_to_autograds():
    model = ap.train("rnn", T=7, steps=3, batch=4, hidden=5, test_size=8, progress=False).model
    x, y = ap.test_set(7, 8)
    model.zero_grad()
    ((model(x) - y) ** 2).mean().backward()
    parts = ap._input_gradient_by_step(model, x, y)
    assert parts.shape == (7, 5, 2)
    assert torch.allclose(parts.sum(dim=0), model.rnn.weight_ih_l0.grad, atol=1e-6)
    assert ap.long_range_share(model, x, y, 6) == pytest.approx(
        float(parts[:1].sum(dim=0).norm() / parts.sum(dim=0).norm()), rel=1e-5)


def test_init_sets_the_recurrent_weights():
    eye = ap.train("rnn", T=4, steps=1, batch=2, hidden=6, test_size=4, lr=1e-8, init="identity",
                   progress=False).model.rnn
    assert torch.allclose(eye.weight_hh_l0, torch.eye(6), atol=1e-6)
    w = ap.train("rnn", T=4, steps=1, batch=2, hidden=6, test_size=4, lr=1e-8, init="orthogonal",
                 progress=False).model.rnn.weight_hh_l0.detach()
    assert torch.allclose(w @ w.T, torch.eye(6), atol=1e-5)
    lstm = ap.train("lstm", T=4, steps=1, batch=2, hidden=3, test_size=4, lr=1e-8, forget_bias=2.0,
                    progress=False).model.rnn
    assert torch.allclose(lstm.bias_ih_l0[3:6], torch.full((3,), 2.0), atol=1e-6)


def test_robustness_trains_each_setting_with_its_overrides_and_verdicts():
    rows = ap.robustness((("a", dict(kind="rnn")), ("b", dict(kind="lstm", T=5, lr=3e-3))), T=4, steps=2,
                         progress=False, batch=4, hidden=3, test_size=8)
    assert [(label, r.kind, r.T, r.steps) for label, r in rows] == [("a", "rnn", 4, 2), ("b", "lstm", 5, 2)]
    table = ap.format_robustness(rows).splitlines()
    assert table[0].split()[:4] == ["setting", "T", "steps", "test"] and table[2].split()[:3] == ["b", "5", "2"]
    r = rows[0][1]
    verdicts = [ap.verdict(ap.Result("rnn", 4, 1, "adding", [], mse, 0.0, r.model)) for mse in (0.005, 0.05, 0.09, 0.2)]
    assert verdicts == ["solved", "partly", "second value only", "no memory"]
    assert ap.verdict(ap.Result("rnn", 4, 1, "first_sign", [], 0.9, 0.0, r.model)) == "no memory"


def test_cost_table_runs_without_onednn_too():
    rows = ap.cost_table((4,), T=3, batch=2, repeats=1, progress=False, onednn=False)
    assert [r["kind"] for r in rows] == list(ap.KINDS) and all(r["ms_per_step"] > 0 for r in rows)


@pytest.mark.parametrize("call,message", [
    (lambda: ap.train("lstm", init="identity"), r"init 'identity' only applies to kind 'rnn', got kind 'lstm'"),
    (lambda: ap.train("rnn", init="xavier"), r"init must be one of \('default', 'orthogonal', 'identity'\), got 'xavier'"),
    (lambda: ap.train("rnn", forget_bias=1.0, steps=1), r"forget_bias only applies to kind 'lstm'"),
    (lambda: ap.second_value_mse(torch.zeros(3, 4, 1), torch.zeros(3, 1)), r"x must have shape \(N, T, 2\)"),
    (lambda: ap.long_range_share(RecurrentRegressor("rnn", 2, 3), torch.zeros(2, 4, 2), torch.zeros(2, 1), 4),
     r"distance must be an integer in \[1, 3\], got 4"),
    (lambda: ap.long_range_share(RecurrentRegressor("gru", 2, 3), torch.zeros(2, 4, 2), torch.zeros(2, 1), 1),
     r"model must hold one nn.RNN layer, got GRU"),
    (lambda: ap.robustness(()), r"settings must name at least one"),
])
def test_new_functions_refuse_bad_input_by_name(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_robustness_and_tables_refuse_malformed_rows():
    with pytest.raises(TypeError, match=r"settings\[\] must be a \(label, dict"):
        ap.robustness((("a", {}),))
    with pytest.raises(TypeError, match=r"rows\[\] must be a \(label, Result\) pair"):
        ap.format_robustness([("a", 1)])
    with pytest.raises(TypeError, match=r"onednn must be True or False, got str 'no'"):
        ap.cost_table((4,), onednn="no")
    with pytest.raises(TypeError, match="model must be"):
        ap.sign_accuracy("model", torch.zeros(2, 3, 1), torch.zeros(2, 1))


@pytest.mark.parametrize("call,message", [
    (lambda: ap.adding_batch(1, 4, torch.Generator()), r"T must be an integer >= 2, got 1"),
    (lambda: ap.adding_batch(True, 4, torch.Generator()), "T must be an integer >= 2, got True"),
    (lambda: ap.adding_batch(10, 0, torch.Generator()), r"batch must be an integer >= 1, got 0"),
    (lambda: ap.first_sign_batch(10, 2, torch.Generator(), noise=-0.1), r"noise must be in \[0.0, 1.0\], got -0.1"),
    (lambda: ap.parameter_count("lstmm", 2, 4), r"kind must be one of \('rnn', 'gru', 'lstm'\), got 'lstmm'"),
    (lambda: ap.parameter_count("rnn", 0, 4), r"input_size must be an integer in \[1, 2048\], got 0"),
    (lambda: ap.train("rnn", T=1), r"T must be an integer in \[2, 10000\], got 1"),
    (lambda: ap.train("rnn", task="copy"), r"task must be one of \('adding', 'first_sign'\), got 'copy'"),
    (lambda: ap.train("rnn", steps=0), r"steps must be an integer in \[1, 100000\], got 0"),
    (lambda: ap.train("rnn", lr=math.nan), r"lr must be in \[1e-08, 1.0\], got nan"),
    (lambda: ap.train("rnn", seed=-1), r"seed must be an integer in \[0, 4294967295\], got -1"),
    (lambda: ap.sweep(()), r"Ts and kinds must not be empty, got Ts=\(\), kinds=\('rnn', 'gru', 'lstm'\)"),
    (lambda: ap.sweep((50,), ("rnn", "cnn")), r"kind must be one of .*, got 'cnn'"),
])
def test_bad_input_is_a_clear_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_cpu_threads_sets_the_count_and_puts_it_back_even_on_error():
    from lstm_course.torchkit import cpu_threads

    before = torch.get_num_threads()
    with pytest.raises(KeyError):
        with cpu_threads(1):
            assert torch.get_num_threads() == 1
            raise KeyError("inside")
    assert torch.get_num_threads() == before


def test_evaluate_refuses_empty_sequences_and_broadcasting_targets():
    torch.manual_seed(0)
    model = RecurrentRegressor("lstm", 2, 4)
    with pytest.raises(ValueError, match=r"x must hold at least one example of at least one step, got shape \(3, 0, 2\)"):
        ap.evaluate(model, torch.zeros(3, 0, 2), torch.zeros(3, 1))
    with pytest.raises(ValueError, match=r"y must have the shape of the model's prediction \(N, 1\), got \(3, 2\)"):
        ap.evaluate(model, torch.zeros(3, 5, 2), torch.zeros(3, 2))


def test_evaluate_is_mean_loss_and_seeding_goes_through_seed_everything(monkeypatch):
    from lstm_course import torchkit
    seeds = []
    monkeypatch.setattr(ap, "seed_everything", lambda seed, device: seeds.append((seed, device.type)) or
                        torchkit.seed_everything(seed, device))
    result = ap.train("rnn", T=4, steps=2, batch=4, hidden=3, test_size=8, seed=7, progress=False)
    assert seeds == [(7, "cpu")]
    x, y = ap.test_set(4, 8)
    expected = torchkit.mean_loss(result.model, lambda p, t: ((p - t) ** 2).mean(), x, y)
    assert ap.evaluate(result.model, x, y) == expected == result.test_mse
    assert not hasattr(ap, "time_step")
