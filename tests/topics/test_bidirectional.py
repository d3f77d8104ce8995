"""The bidirectional LSTM from two NumPy LSTMs, the look-ahead task, the cost, and the exercise's checker."""

import io
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from torch import nn

from lstm_course.classroom import fonts, plots
from lstm_course.topics import bidirectional as bi
from bad_input import assert_clear


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
    fig = Figure()
    plots.draw_reading(fig.add_subplot(), ["a", "b", "a"])
    assert [t.get_text() for t in fig.axes[0].texts][:3] == ["a", "b", "a"]


def test_the_shipped_font_has_every_character_it_promises():
    from fontTools.ttLib import TTFont
    from matplotlib.ft2font import FT2Font

    assert fonts.CJK_FONT_FILE.is_file() and (fonts.CJK_FONT_FILE.parent / "LICENSE-OFL-1.1.txt").is_file()
    charmap = FT2Font(str(fonts.CJK_FONT_FILE)).get_charmap()          # what matplotlib's renderer sees
    assert all(ord(ch) in charmap and charmap[ord(ch)] > 0 for ch in fonts.CJK_CHARACTERS)
    assert set(TTFont(fonts.CJK_FONT_FILE).getBestCmap()) == {ord(ch) for ch in fonts.CJK_CHARACTERS}
    assert "Open Font License" in TTFont(fonts.CJK_FONT_FILE)["name"].getDebugName(13)


def test_the_sentence_is_drawn_in_its_characters_with_no_missing_glyph():
    fig = Figure(figsize=(13, 3.6))
    ax = fig.add_subplot()
    with warnings.catch_warnings():
        warnings.simplefilter("error")                                 # "Glyph ... missing from font(s)" fails here
        plots.draw_reading(ax, list("我爱中国"), ["wǒ: I", "ài: love", "zhōng: middle", "guó: country"])
        fig.canvas.draw()
        FigureCanvasAgg(fig).print_png(io.BytesIO())
    drawn = {t.get_text(): t for t in ax.texts}
    for ch in "我爱中国":
        assert Path(drawn[ch].get_fontproperties().get_file()) == fonts.CJK_FONT_FILE
        assert drawn[ch].get_fontsize() >= 20                          # large enough for a projector
    assert min(t.get_fontsize() for t in ax.texts) >= 12
    assert "wǒ: I" in drawn["output at t = 1\nwǒ: I"].get_text()


def test_the_font_is_read_from_its_file_not_added_to_matplotlibs_list():
    before = len(font_manager.fontManager.ttflist)
    fig = Figure()
    plots.draw_reading(fig.add_subplot(), list("我爱"))
    FigureCanvasAgg(fig).print_png(io.BytesIO())
    assert len(font_manager.fontManager.ttflist) == before


def test_lookahead_labels():
    x, y = bi.lookahead_data(n=5, steps=6, vocab=3, k=2)
    assert x.shape == y.shape == (5, 6) and int(x.max()) < 3
    assert torch.equal(y[:, :4], x[:, 2:]) and torch.all(y[:, 4:] == bi.IGNORE)


def test_bidirectional_tagger_beats_unidirectional():
    torch.set_num_threads(1)
    uni = bi.train_tagger(False, epochs=3, progress=False)
    both = bi.train_tagger(True, epochs=3, progress=False)
    assert uni.accuracies[-1] < 0.35 < 0.8 < both.accuracies[-1]


def test_delayed_output_reads_the_next_steps():
    """Tag t of a delayed tagger is its LSTM's output after step t + delay, the blanks being zero vectors."""
    torch.manual_seed(0)
    model = bi.Tagger(3, hidden=4, delay=2)
    x = torch.tensor([[0, 2, 1, 1, 0]])
    with torch.no_grad():
        out, _ = model.lstm(torch.cat([nn.functional.one_hot(x, 3).float(), torch.zeros(1, 2, 3)], dim=1))
        assert torch.allclose(model(x), model.head(out[:, 2:]))
        changed = x.clone()
        changed[0, 3] = 2                                                # x_4 changes: tags 2 to 5 may change
        assert torch.equal(model(x)[0, :1], model(changed)[0, :1]) and not torch.equal(model(x)[0, 1], model(changed)[0, 1])
    assert bi.Tagger(3, delay=0)(x).shape == bi.Tagger(3, delay=2)(x).shape == (1, 5, 3)


def test_delay_solves_the_lookahead_task_and_no_delay_cannot():
    torch.set_num_threads(1)
    data = bi.lookahead_data(n=800, steps=10, k=2)
    delayed = bi.train_tagger(False, data, epochs=4, delay=2, n_train=600, progress=False)
    short = bi.train_tagger(False, data, epochs=4, delay=1, n_train=600, progress=False)
    assert delayed.accuracies[-1] > 0.9 and short.accuracies[-1] < 0.35     # delay 1 has not read x_{t+2}


def test_both_sides_labels_and_majority():
    x, y = bi.both_sides_data(n=50, steps=7, vocab=3, seed=1)
    assert x.shape == y.shape == (50, 7) and torch.all(y[:, [0, -1]] == bi.IGNORE)
    assert torch.equal(y[:, 1:-1], (x[:, :-2] == x[:, 2:]).long())
    assert bi.majority_rate(torch.tensor([[bi.IGNORE, 0, 0, 1, bi.IGNORE]])) == pytest.approx(2 / 3)
    x, y = bi.both_sides_data(n=4000, steps=12, vocab=4)
    assert abs(float((y[y != bi.IGNORE] == 1).float().mean()) - 0.25) < 0.02


def test_both_sides_task_needs_a_second_layer():
    torch.set_num_threads(1)
    data = bi.both_sides_data(n=2000, steps=12, vocab=4)                 # notebook 06's size
    majority = bi.majority_rate(data[1][1600:])
    one = bi.train_tagger(True, data, epochs=8, classes=2, progress=False)
    two = bi.train_tagger(True, data, epochs=8, classes=2, num_layers=2, progress=False)
    assert abs(one.accuracies[-1] - majority) < 0.02 and two.accuracies[-1] > majority + 0.15


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
    (lambda: bi.Tagger(4, bidirectional=True, delay=2), r"delay is for a one-directional tagger"),
    (lambda: bi.Tagger(4, delay=-1), r"delay must be an integer in \[0, 1000\], got -1"),
    (lambda: bi.Tagger(4, num_layers=0), r"num_layers must be an integer in \[1, 16\], got 0"),
    (lambda: bi.Tagger(4, classes=1), r"classes must be an integer in \[2, 10000\], got 1"),
    (lambda: bi.both_sides_data(steps=2), r"steps must be an integer in \[3, 100000\], got 2"),
    (lambda: bi.majority_rate(torch.full((2, 3), bi.IGNORE)), r"y must be an integer tensor with at least one tag"),
    (lambda: bi.majority_rate([0, 1]), r"y must be a torch.Tensor|y must be an integer torch tensor"),
    (lambda: bi.train_tagger(True, bi.both_sides_data(n=10), classes=1), r"y must hold tags in \[0, 1\)"),
    (lambda: plots.draw_reading(Figure().add_subplot(), ["a", "b"], ["x"]), r"glosses must be 2 strings"),
])
def test_bad_input_is_a_clear_value_error(call, message):
    with pytest.raises((TypeError, ValueError), match=message):
        call()


@pytest.mark.parametrize("shape", [(0, 2, 4), (3, 0, 4)])
def test_summary_refuses_an_empty_output(shape):
    with pytest.raises(ValueError, match=r"output must hold at least one step and one sequence"):
        bi.summary(np.zeros(shape), 2)


@settings(max_examples=15, deadline=None)
@given(value=st.one_of(st.integers(-5, 2), st.floats(allow_nan=True), st.text(max_size=3), st.none()))
def test_new_arguments_are_refused_by_name(value):
    """Any bad steps, size, delay or tags: a clear error at the course's boundary, naming the argument."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 3:
        return
    assert_clear(lambda: bi.both_sides_data(n=4, steps=value), "steps")
    if not (isinstance(value, float) and 4.0 <= value <= 200.0):
        assert_clear(lambda: fonts.cjk_font(value), "size")
    if not (isinstance(value, int) and value >= 0):
        assert_clear(lambda: bi.Tagger(4, delay=value), "delay")
    assert_clear(lambda: bi.majority_rate(value), "y")
