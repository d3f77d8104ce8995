"""lstm_course.torchkit: devices and seeds, the model with a linear head, the forget bias, the loop, the timer."""

import numpy as np
import pytest
import torch
from torch import nn

from lstm_course import torchkit, validate
from lstm_course.torchkit import available_devices, pick_device

torch.set_num_threads(1)


# ---------------------------------------------------------------- devices and seeds

def test_auto_device_is_the_best_available():
    assert pick_device("auto").type == available_devices()[0]
    assert available_devices()[-1] == "cpu"
    assert ("cuda" in available_devices()) == torch.cuda.is_available()
    assert pick_device(torch.device("cpu")) == torch.device("cpu") == pick_device("cpu")


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_asking_for_missing_cuda_is_a_clear_error():
    with pytest.raises(ValueError, match="device 'cuda' was asked for but this machine has none"):
        pick_device("cuda")


def test_seed_everything_repeats_torch_draws():
    torchkit.seed_everything(7, torch.device("cpu"))
    a = torch.rand(5)
    torchkit.seed_everything(7, torch.device("cpu"))
    assert torch.equal(a, torch.rand(5))


def test_cpu_threads_sets_and_restores_even_on_error():
    saved = torch.get_num_threads()
    with pytest.raises(RuntimeError):
        with torchkit.cpu_threads(2):
            assert torch.get_num_threads() == 2
            raise RuntimeError("inside")
    assert torch.get_num_threads() == saved


# ---------------------------------------------------------------- model and forget bias

@pytest.mark.parametrize("kind", ["rnn", "gru", "lstm"])
def test_make_recurrent_and_the_regressor_shapes(kind):
    rnn = torchkit.make_recurrent(kind, 3, 5, num_layers=2)
    assert isinstance(rnn, torchkit.RECURRENT[kind]) and rnn.batch_first and rnn.num_layers == 2
    model = torchkit.RecurrentRegressor(kind, input_size=3, hidden=5, out_size=2)
    assert model(torch.zeros(4, 6, 3)).shape == (4, 2)


def test_regressor_scales_output_and_shifts_input():
    torch.manual_seed(0)
    plain = torchkit.RecurrentRegressor("gru", 1, 4)
    torch.manual_seed(0)
    scaled = torchkit.RecurrentRegressor("gru", 1, 4, x_shift=1.0, y_mean=3.0, y_std=2.0)
    x = torch.randn(2, 5, 1)
    assert torch.allclose(scaled(x + 1.0), 3.0 + 2.0 * plain(x))


def test_regressor_highway_adds_a_linear_autoregression():
    torch.manual_seed(0)
    plain = torchkit.RecurrentRegressor("lstm", 2, 4, x_shift=0.5, y_mean=1.0, y_std=3.0)
    torch.manual_seed(0)
    model = torchkit.RecurrentRegressor("lstm", 2, 4, x_shift=0.5, y_mean=1.0, y_std=3.0, highway=3)
    assert model.highway.in_features == 6 and model.highway_steps == 3
    x = torch.randn(5, 7, 2)
    linear = model.highway((x[:, -3:] - 0.5).flatten(1))            # the last 3 steps, oldest first
    assert torch.allclose(model(x), plain(x) + 3.0 * linear, atol=1e-6)
    with pytest.raises(ValueError, match="x must have at least highway = 3 steps, got 2"):
        model(x[:, :2])
    with pytest.raises(ValueError, match="highway must be an integer in"):
        torchkit.RecurrentRegressor(highway=-1)


def test_set_forget_bias_sets_the_sum_in_every_layer_and_direction():
    lstm = nn.LSTM(2, 3, num_layers=2, bidirectional=True)
    before = {n: p.detach().clone() for n, p in lstm.named_parameters()}
    assert torchkit.set_forget_bias(lstm, np.float32(1.5)) is lstm
    for layer in range(2):
        for suffix in ("", "_reverse"):
            b_ih, b_hh = (getattr(lstm, f"bias_{w}_l{layer}{suffix}") for w in ("ih", "hh"))
            assert torch.equal((b_ih + b_hh)[3:6], torch.full((3,), 1.5))
            for rows in (slice(0, 3), slice(6, 12)):  # i, g, o untouched
                assert torch.equal(b_ih[rows], before[f"bias_ih_l{layer}{suffix}"][rows])


# ---------------------------------------------------------------- the loop

def _regression(n=40):
    g = torch.Generator().manual_seed(0)
    X = torch.randn(n, 3, generator=g)
    return X, X @ torch.tensor([[1.0], [-2.0], [0.5]])


def test_shuffled_batches_cover_every_index_once():
    batches = list(torchkit.shuffled_batches(10, 4, torch.Generator().manual_seed(1)))
    assert [len(b) for b in batches] == [4, 4, 2]
    assert sorted(torch.cat(batches).tolist()) == list(range(10))
    again = list(torchkit.shuffled_batches(10, 4, torch.Generator().manual_seed(1)))
    assert all(torch.equal(a, b) for a, b in zip(batches, again))


def test_optimizer_step_clips_and_returns_the_loss():
    w = nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([w], lr=1.0)
    loss = ((w - 100.0) ** 2).sum()
    assert torchkit.optimizer_step(opt, loss, clip=1.0) == pytest.approx(10_000.0)
    assert w.item() == pytest.approx(1.0)  # gradient -200 clipped to norm 1


def test_train_epoch_lowers_mean_loss():
    torch.manual_seed(0)
    model, (X, y) = nn.Linear(3, 1), _regression()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    start = torchkit.mean_loss(model, nn.functional.mse_loss, X, y)
    g = torch.Generator().manual_seed(0)
    losses = [torchkit.train_epoch(model, nn.functional.mse_loss, X, y, opt, 8, g) for _ in range(5)]
    assert losses[-1] < losses[0] < start * 1.01
    assert torchkit.mean_loss(model, nn.functional.mse_loss, X, y) < start / 10
    assert model.training              # mean_loss puts back the mode train_epoch left


def test_best_times_times_each_function():
    calls = []
    best = torchkit.best_times({"a": lambda: calls.append("a"), "b": lambda: calls.append("b")}, repeats=3, warmup=1)
    assert set(best) == {"a", "b"} and all(0 <= t < 1 for t in best.values())
    assert calls == ["a", "b"] + ["a", "b"] * 3


# ---------------------------------------------------------------- bad input, each message

LINEAR = nn.Linear(3, 1)
OPT = torch.optim.SGD(LINEAR.parameters(), lr=0.1)
GEN = torch.Generator().manual_seed(0)
MSE = nn.functional.mse_loss


@pytest.mark.parametrize("call, error, message", [
    (lambda: pick_device(3), TypeError, "device must be one of ('auto', 'cpu', 'cuda', 'mps') or a torch.device, got int"),
    (lambda: pick_device("tpu"), ValueError, "device must be one of ('auto', 'cpu', 'cuda', 'mps'), got 'tpu'"),
    (lambda: torchkit.seed_everything(-1, torch.device("cpu")), ValueError, "seed must be an integer in [0, 4294967295], got -1"),
    (lambda: torchkit.seed_everything(0, "cpu"), TypeError, "device must be a torch.device (use pick_device), got str"),
    (lambda: torchkit.cpu_threads(0).__enter__(), ValueError, "n must be an integer in [1, 1024], got 0"),
    (lambda: torchkit.make_recurrent("transformer", 1, 2), ValueError, "kind must be one of ('rnn', 'gru', 'lstm')"),
    (lambda: torchkit.make_recurrent("lstm", 1, 2, dtype=torch.int64), ValueError, "dtype must be one of"),
    (lambda: torchkit.make_recurrent("lstm", 0, 2), ValueError, "input_size must be an integer in [1, 100000], got 0"),
    (lambda: torchkit.RecurrentRegressor("gru", forget_bias=1.0), ValueError, "forget_bias only applies to kind 'lstm'"),
    (lambda: torchkit.RecurrentRegressor(y_std=0.0), ValueError, "y_std must be in [1e-12, 1000000000000.0], got 0.0"),
    (lambda: torchkit.RecurrentRegressor()(torch.zeros(2, 3, 2)), ValueError,
     "x must be a tensor of shape (batch, steps, 1) with batch >= 1 and steps >= 1, got shape (2, 3, 2)"),
    (lambda: torchkit.RecurrentRegressor()(np.zeros((2, 3, 1))), TypeError,
     "x must be a torch.Tensor of shape (batch, steps, 1), got ndarray"),
    (lambda: torchkit.set_forget_bias(nn.GRU(1, 2), 1.0), TypeError, "lstm must be a torch.nn.LSTM, got GRU"),
    (lambda: torchkit.set_forget_bias(nn.LSTM(1, 2), float("nan")), ValueError, "value must be a finite number, got nan"),
    (lambda: torchkit.set_forget_bias(nn.LSTM(1, 2, bias=False), 1.0), ValueError, "lstm has no biases (bias=False)"),
    (lambda: torchkit.optimizer_step(None, torch.zeros(())), TypeError, "optimizer must be a torch.optim.Optimizer, got NoneType"),
    (lambda: torchkit.optimizer_step(OPT, 1.0), TypeError, "loss must be a scalar torch.Tensor, got float"),
    (lambda: torchkit.optimizer_step(OPT, torch.zeros(3)), ValueError, "loss must be a scalar tensor that requires grad"),
    (lambda: torchkit.optimizer_step(OPT, LINEAR(torch.zeros(1, 3)).sum(), clip=-1.0), ValueError, "clip must be in [1e-12, inf]"),
    (lambda: torchkit.shuffled_batches(10, 0, GEN), ValueError, "batch_size must be an integer in [1, 1000000000], got 0"),
    (lambda: torchkit.shuffled_batches(0, 2, GEN), ValueError, "n must be an integer in [1, 1000000000], got 0"),
    (lambda: torchkit.shuffled_batches(10, 2, 0), TypeError, "generator must be a torch.Generator (e.g. torch.Generator().manual_seed(0)), got int"),
    (lambda: torchkit.train_epoch(LINEAR, MSE, torch.zeros(4, 3), torch.zeros(5, 1), OPT, 2, GEN), ValueError,
     "X and y must hold the same number (at least 1) of examples along their first axis, got shapes (4, 3) and (5, 1)"),
    (lambda: torchkit.train_epoch(LINEAR, "mse", torch.zeros(4, 3), torch.zeros(4, 1), OPT, 2, GEN), TypeError,
     "loss_fn must be a function, got str"),
    (lambda: torchkit.mean_loss("model", MSE, torch.zeros(4, 3), torch.zeros(4, 1)), TypeError,
     "model must be a torch.nn.Module, got str"),
    (lambda: torchkit.mean_loss(LINEAR, MSE, np.zeros((4, 3)), torch.zeros(4, 1)), TypeError,
     "X must be a torch.Tensor, got ndarray"),
    (lambda: torchkit.best_times([lambda: 1]), TypeError, "fns must be a dict of name -> function, got list"),
    (lambda: torchkit.best_times({}), ValueError, "fns must name at least one function to time"),
    (lambda: torchkit.best_times({"a": 3}), TypeError, "fns['a'] must be a function, got int"),
    (lambda: torchkit.best_times({"a": lambda: 1}, repeats=0), ValueError, "repeats must be an integer in [1, 10000], got 0"),
])
def test_bad_input_is_refused_with_its_name(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)


@pytest.mark.parametrize("kind", ["rnn", "gru", "lstm"])
def test_make_recurrent_refuses_a_model_too_large_before_allocating_it(kind):
    with pytest.raises(ValueError, match=r"input_size, hidden and num_layers asks for [\d,]+ parameters, more than the limit of 50,000,000"):
        torchkit.make_recurrent(kind, 2, 100_000)
    limit = validate.MAX_PARAMETERS
    validate.MAX_PARAMETERS = sum(p.numel() for p in torchkit.make_recurrent(kind, 3, 7, 2).parameters())
    try:   # the size the check computes is the module's own parameter count, to the unit
        torchkit.make_recurrent(kind, 3, 7, 2)
        with pytest.raises(ValueError, match="parameters"):
            torchkit.make_recurrent(kind, 3, 8, 2)
    finally:
        validate.MAX_PARAMETERS = limit


# ---------------------------------------------------------------- review fixes: boundaries and one home each

@pytest.mark.parametrize("x, message", [
    (torch.zeros(2, 0, 1), "x must be a tensor of shape (batch, steps, 1) with batch >= 1 and steps >= 1, got shape (2, 0, 1)"),
    (torch.zeros(0, 3, 1), "with batch >= 1 and steps >= 1, got shape (0, 3, 1)"),
    (torch.full((2, 3, 1), float("nan")), "x contains NaN or infinity"),
])
def test_forward_refuses_empty_and_nan_input(x, message):
    with pytest.raises(ValueError) as info:
        torchkit.RecurrentRegressor()(x)
    assert message in str(info.value)


def test_forward_takes_float64_input_in_the_weights_dtype():
    torch.manual_seed(0)
    model = torchkit.RecurrentRegressor()
    x = torch.randn(2, 3, 1, dtype=torch.float64)
    out = model(x)
    assert out.dtype == torch.float32
    assert torch.equal(out, model(x.float()))


def test_a_target_that_would_broadcast_is_refused():
    torch.manual_seed(0)
    model, X, y = torchkit.RecurrentRegressor(), torch.randn(4, 3, 1), torch.randn(4)
    mse = nn.functional.mse_loss
    for call in (lambda: torchkit.mean_loss(model, mse, X, y),
                 lambda: torchkit.train_epoch(model, mse, X, y, torch.optim.SGD(model.parameters(), lr=0.1), 2,
                                              torch.Generator().manual_seed(0))):
        with pytest.raises(ValueError, match=r"y must have the shape of the model's prediction \(N, 1\), got \(4,\)"):
            call()


def test_class_labels_must_match_the_prediction_without_its_class_axis():
    model = nn.Linear(3, 5)                                  # (N, 3) -> (N, 5) class scores
    X, good, bad = torch.randn(4, 3), torch.zeros(4, dtype=torch.long), torch.zeros(4, 2, dtype=torch.long)
    assert torchkit.mean_loss(model, nn.functional.cross_entropy, X, good) > 0
    with pytest.raises(ValueError, match=r"y \(class labels\) must have the prediction's shape without its last"):
        torchkit.mean_loss(model, nn.functional.cross_entropy, X, bad)


def test_predict_restores_the_mode_and_keeps_no_graph():
    model = nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5))
    model.train()
    out = torchkit.predict(model, torch.ones(3, 2))
    assert model.training and not out.requires_grad
    assert torch.equal(out, model.eval()(torch.ones(3, 2)).detach())
    with pytest.raises(TypeError, match="X must be a torch.Tensor, got ndarray"):
        torchkit.predict(model, np.ones((3, 2)))


@pytest.mark.parametrize("name", ["cpu:x", "cpu:-1", "cpu:0:1"])
def test_pick_device_refuses_a_malformed_index(name):
    with pytest.raises(ValueError, match="optionally with an index like 'cuda:0'"):
        pick_device(name)


def test_kinds_have_one_home():
    from lstm_course.topics import adding_problem, gradient_flow
    assert torchkit.KINDS == tuple(torchkit.RECURRENT) == adding_problem.KINDS
    assert adding_problem.check_kind is torchkit.check_kind is gradient_flow.check_kind
    with pytest.raises(ValueError, match="kind must be one of"):
        torchkit.check_kind("transformer")
    with pytest.raises(TypeError, match="generator must be a torch.Generator"):
        torchkit.check_generator(0)


def test_cpu_model_names_a_cpu():
    import benchmarks.numpy_vs_torch_lstm as bench
    name = torchkit.cpu_model()
    assert isinstance(name, str) and name and bench.cpu_model is torchkit.cpu_model


def test_mean_loss_puts_the_mode_back():
    model = nn.Sequential(nn.Linear(2, 1), nn.Dropout(0.5)).train()
    loss = torchkit.mean_loss(model, nn.functional.mse_loss, torch.ones(3, 2), torch.zeros(3, 1))
    assert model.training and loss == float(nn.functional.mse_loss(model.eval()(torch.ones(3, 2)).detach(), torch.zeros(3, 1)))


def test_spread_is_mean_sample_std_min_max_and_keeps_a_diverged_run():
    assert torchkit.spread([1.0, 2.0, 3.0]) == (2.0, 1.0, 1.0, 3.0)
    assert torchkit.spread([0.5]) == (0.5, 0.0, 0.5, 0.5)
    assert torchkit.spread([1.0, float("inf")])[3] == float("inf")
    with pytest.raises(ValueError, match="values must be a 1-D list of at least one measurement"):
        torchkit.spread([])
    with pytest.raises(ValueError, match="values must be an array of numbers"):
        torchkit.spread(["a"])
