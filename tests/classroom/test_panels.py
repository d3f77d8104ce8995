"""The slider panels of every notebook (classroom.panels and views): plain view functions, driven here through real ipywidgets."""

import functools
import math

import ipywidgets as widgets
import numpy as np
import pytest
import torch

from lstm_course.classroom import panels, plots, views
from lstm_course.classroom.views import LivePanel
from lstm_course.lstm.activations import sigmoid
from lstm_course.topics import gradient_flow as gf
from lstm_course.topics import lstm_api, sine
from lstm_course.topics.sine import CourseConfig

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def gate_sliders(i=0.5, f=0.9, g=-0.8, o=0.7, c=1.0):
    return {"i_t": widgets.FloatSlider(value=i, min=0, max=1, step=0.01),
            "f_t": widgets.FloatSlider(value=f, min=0, max=1, step=0.01),
            "g_t": widgets.FloatSlider(value=g, min=-1, max=1, step=0.01),
            "o_t": widgets.FloatSlider(value=o, min=0, max=1, step=0.01),
            "c_prev": widgets.FloatSlider(value=c, min=-3, max=3, step=0.01)}


def expected_cell(i, f, g, o, c_prev):
    c_t = f * c_prev + i * g
    return c_t, o * math.tanh(c_t)


def shown(panel, name):
    """The number the read-out shows for ``name``."""
    marker = f"data-name='{name}'>"
    start = panel.readout.value.index(marker) + len(marker)
    return float(panel.readout.value[start:panel.readout.value.index("<", start)])


def test_every_gate_slider_recomputes_c_and_h_and_redraws():
    panel = panels.LivePanel(panels.gate_values_view, gate_sliders())
    moves = [("i_t", 1.0), ("f_t", 0.2), ("g_t", 0.6), ("o_t", 0.3), ("c_prev", -2.5)]
    for name, value in moves:
        before_png = panel.image.value
        panel.controls[name].value = value
        v = {k: c.value for k, c in panel.controls.items()}
        c_t, h_t = expected_cell(v["i_t"], v["f_t"], v["g_t"], v["o_t"], v["c_prev"])
        assert panel.last.values["c_t"] == pytest.approx(c_t, abs=1e-12)
        assert panel.last.values["h_t"] == pytest.approx(h_t, abs=1e-12)
        assert shown(panel, "c_t") == pytest.approx(c_t, abs=5e-5)
        assert shown(panel, "h_t") == pytest.approx(h_t, abs=5e-5)
        assert bytes(panel.image.value).startswith(PNG_MAGIC) and panel.image.value != before_png, name


def test_gate_view_teaching_cases():
    # positional arguments in torch's order: i_t, f_t, g_t, o_t, c_prev
    assert panels.gate_values_view(0.0, 1.0, 0.9, 1.0, 1.7).values["c_t"] == 1.7   # perfect memory
    assert panels.gate_values_view(1.0, 0.0, -0.3, 1.0, 1.7).values["c_t"] == -0.3  # overwritten
    v = panels.gate_values_view(0.2, 0.8, 0.5, 0.0, 1.0).values
    assert v["h_t"] == 0.0 and v["c_t"] != 0.0                                           # silent memory


@pytest.mark.parametrize("bad,message", [
    (dict(f_t=1.5), r"f_t must be in \[0.0, 1.0\], got 1.5"),
    (dict(g_t=-2), r"g_t must be in \[-1.0, 1.0\], got -2"),
    (dict(o_t=float("nan")), r"o_t must be in \[0.0, 1.0\], got nan"),
    (dict(i_t="x"), r"i_t must be a real number"),
])
def test_gate_view_rejects_out_of_range_values(bad, message):
    args = dict(f_t=0.5, i_t=0.5, g_t=0.5, o_t=0.5, c_prev=0.0) | bad
    with pytest.raises((ValueError, TypeError), match=message):
        panels.gate_values_view(**args)


def test_panel_shows_a_view_error_instead_of_raising():
    sliders = gate_sliders()
    sliders["f_t"] = widgets.FloatSlider(value=0.5, min=0, max=2)   # a badly built slider can leave [0, 1]
    panel = panels.LivePanel(panels.gate_values_view, sliders)
    good = panel.last
    panel.controls["f_t"].value = 1.5
    assert panel.error == "f_t must be in [0.0, 1.0], got 1.5"
    assert "f_t must be in" in panel.readout.value and panel.last is good
    panel.controls["f_t"].value = 0.25
    assert panel.error is None and panel.last.values["f_t"] == 0.25


def test_gate_from_inputs_slider_follows_sigmoid_of_preactivation():
    sliders = {n: widgets.FloatSlider(value=v, min=-5, max=5, step=0.01)
               for n, v in dict(x_t=1.0, h_prev=0.5, w_x=1.5, w_h=-0.4, b=0.1).items()}
    panel = panels.LivePanel(panels.gate_from_inputs_view, sliders)
    for name, value in [("x_t", -2.0), ("w_h", 3.0), ("b", 4.0), ("h_prev", -1.0), ("w_x", 0.0)]:
        panel.controls[name].value = value
        v = {k: c.value for k, c in panel.controls.items()}
        z = v["w_x"] * v["x_t"] + v["w_h"] * v["h_prev"] + v["b"]
        assert panel.last.values["z"] == pytest.approx(z, abs=1e-12)
        assert panel.last.values["gate"] == pytest.approx(float(sigmoid(z)), abs=1e-12)
        assert shown(panel, "gate") == pytest.approx(float(sigmoid(z)), abs=5e-5)


def test_memory_slider_half_life():
    panel = panels.LivePanel(panels.memory_view, {
        "f": widgets.FloatSlider(value=0.9, min=0.5, max=1.0, step=0.005),
        "i": widgets.FloatSlider(value=1.0, min=0.0, max=1.0, step=0.05)})
    panel.controls["f"].value = 0.5 ** (1 / 4)
    assert panel.last.values["half_life"] == pytest.approx(4.0, abs=1e-9)
    panel.controls["i"].value = 0.5
    assert panel.last.values["c_1"] == 0.5
    assert panel.last.values["c_last"] == pytest.approx(0.5 * panel.controls["f"].value ** 29, rel=1e-12)
    panel.controls["f"].value = 1.0
    assert panel.last.values["half_life"] == math.inf and panel.last.values["c_last"] == 0.5


def test_panel_wiring_through_interactive_gives_same_result():
    # the same plain function also works with ipywidgets.interactive; assert on .result
    w = widgets.interactive(panels.gate_values_view, i_t=(0.0, 1.0), f_t=(0.0, 1.0), g_t=(-1.0, 1.0),
                            o_t=(0.0, 1.0), c_prev=(-3.0, 3.0))
    next(c for c in w.kwargs_widgets if c.description == "f_t").value = 0.25
    w.update()
    kw = w.kwargs
    c_t, h_t = expected_cell(kw["i_t"], kw["f_t"], kw["g_t"], kw["o_t"], kw["c_prev"])
    assert kw["f_t"] == 0.25
    assert w.result.values["c_t"] == pytest.approx(c_t) and w.result.values["h_t"] == pytest.approx(h_t)


def test_panel_rejects_non_widget_controls():
    with pytest.raises(ValueError, match="control 'b' must be a widget with a value"):
        panels.LivePanel(panels.gate_from_inputs_view, {"b": 0.3})
    with pytest.raises(ValueError, match="at least one control"):
        panels.LivePanel(panels.gate_values_view, {})


def test_partial_fixes_the_other_arguments():
    view = functools.partial(panels.gate_from_inputs_view, h_prev=0.0, w_x=2.0, w_h=0.0, b=0.0)
    panel = panels.LivePanel(view, {"x_t": widgets.FloatSlider(value=0.0, min=-3, max=3)})
    assert panel.last.values["gate"] == 0.5
    panel.controls["x_t"].value = 2.0
    assert panel.last.values["gate"] == pytest.approx(float(sigmoid(4.0)))


def test_views_do_not_touch_pyplot_state():
    import matplotlib.pyplot as plt
    before = plt.get_fignums()
    panels.gate_values_view(0.5, 0.5, 0.5, 0.5, 0.5)
    panels.memory_view(1.0, 0.9)
    assert plt.get_fignums() == before


def test_memory_view_bounds_its_steps_and_half_life_lines(monkeypatch):
    with pytest.raises(ValueError, match="steps must be at most 1000, got 100000: the picture has one point per step"):
        panels.memory_view(0.5, 0.5, steps=100_000)
    with pytest.raises(ValueError, match=r"f must be in \[0.0, 1.0\], got nan"):
        panels.memory_view(0.5, float("nan"))
    from matplotlib.axes import Axes
    drawn = []
    monkeypatch.setattr(Axes, "axvline", lambda self, *a, **k: drawn.append(a))
    tiny = panels.memory_view(0.5, 1e-300)     # half-life 0.001 steps: once 29,000 lines (20-57 s), now a few
    assert len(drawn) <= 5
    assert tiny.values["half_life"] == pytest.approx(math.log(0.5) / math.log(1e-300))
    assert tiny.values["c_last"] == 0.0 and tiny.values["c_1"] == 0.5


# ---------------------------------------------------------------- notebooks 04 and 05

# ---------------------------------------------------------------- notebook 04: gradient flow

def test_the_panel_redraws_when_the_sliders_move():
    T = widgets.IntSlider(value=30, min=10, max=200, step=10)
    bias = widgets.FloatSlider(value=0.0, min=-2, max=4, step=0.5)
    panel = LivePanel(panels.gradient_flow_view, {"T": T, "forget_bias": bias})
    first = panel.last
    assert first.values["T"] == 30 and first.png.startswith(PNG_MAGIC)
    T.value = 80
    assert panel.last.values["T"] == 80 and panel.last.png != first.png
    assert panel.last.values["rnn_ratio"] < first.values["rnn_ratio"]      # longer reach, less gradient
    bias.value = 2.0
    assert panel.last.values["forget_gate"] == pytest.approx(sigmoid(2.0))
    assert panel.last.values["lstm_ratio"] > 1e3 * panel.last.values["rnn_ratio"]
    assert panel.error is None and "data-name='LSTM'" in panel.readout.value


def test_the_slider_corner_reads_a_measured_ratio_not_a_clamp():
    """T = 300, forget bias -2: the LSTM's gradient is about 1e-200 and must be measured, not shown as -300."""
    view = panels.gradient_flow_view(300, -2.0)
    lstm = view.values["lstm_ratio"]
    flow = gf.gradient_flow("lstm", 300, 32, -2.0)
    assert 0 < lstm < 1e-162 and lstm == flow.ratio[-1]        # below where a plain norm's squares underflow
    shown = float(view.html.split("data-name='LSTM'>")[1].split("<")[0])
    assert shown == pytest.approx(math.log10(lstm), abs=1e-4) and shown > -300


def test_a_ratio_below_float64_says_so():
    view = panels.gradient_flow_view(400, -10.0, hidden=4)          # f = 4.5e-5 for 399 steps: far below 1e-308
    assert view.values["lstm_ratio"] == 0.0 and view.values["rnn_ratio"] > 0
    assert "below float64" in view.html and "data-name='LSTM'>-inf<" in view.html
    assert "data-name='LSTM'>-300" not in view.html


@pytest.mark.parametrize("call,error,message", [
    (lambda: panels.gradient_flow_view(1, 1.0), ValueError, r"T must be an integer in \[2, 400\], got 1"),
    (lambda: panels.gradient_flow_view(20, math.inf), ValueError, r"forget_bias must be in \[-10.0, 10.0\], got inf"),
    (lambda: panels.gradient_flow_view(20, "1"), TypeError, r"forget_bias must be a real number"),
    (lambda: panels.gradient_flow_view(20, 1.0, hidden=10**6), ValueError, r"hidden must be an integer in \[1, 256\]"),
])
def test_gradient_flow_view_bad_input(call, error, message):
    with pytest.raises(error, match=message):
        call()


# ---------------------------------------------------------------- notebook 05: the shape explorer

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


@pytest.mark.parametrize("call,error,message", [
    (lambda: panels.shape_explorer_view(10**6, 10**6, 5, 6, 1, False, False), ValueError,
     r"this LSTM asks for [0-9,]+ numbers, more than the limit of 20,000,000"),
    (lambda: panels.shape_explorer_view(3, 2, 5, 6, 100, False, False), ValueError,
     r"num_layers must be an integer in \[1, 16\], got 100"),
    (lambda: panels.shape_explorer_view(3, 2, 5, 6, 1, False, "no"), TypeError,
     r"batch_first must be True or False, got str 'no'"),
    (lambda: panels.shape_explorer_view(3, 2, 5, 6, 1, 1, False), TypeError,
     r"bidirectional must be True or False, got int 1"),
])
def test_shape_explorer_view_bad_input(call, error, message):
    with pytest.raises(error, match=message):
        call()


# ---------------------------------------------------------------- notebook 07

torch.set_num_threads(1)


def test_noise_slider_recomputes_floor_and_persistence():
    panel = panels.WhatIfPanel(device="cpu")
    assert panel.data.last.values["noise_floor"] == pytest.approx(0.01)
    panel.noise.value = 0.3
    values = panel.data.last.values
    noisy, _ = sine.article_data(0.3)
    assert values["noise_floor"] == pytest.approx(0.09)
    assert values["mse_persistence"] == pytest.approx(sine.persistence_mse(noisy))
    assert values["mse_persistence"] == pytest.approx(values["persistence_expected"], rel=0.25)
    assert panel.data.image.value[:4] == b"\x89PNG"


def test_retrain_button_trains_and_shows_the_result():
    config = CourseConfig(window=10, hidden=8, max_epochs=3, patience=5, val_size=50)
    panel = panels.WhatIfPanel(noise=0.2, config=config, device="cpu")
    assert panel.image.value == b"" and panel.image.layout.display == "none"     # no broken image before training
    panel.button.click()
    values = panel.last.values
    assert values["noise"] == 0.2 and values["epochs"] == 3 and panel.bar.value == 3
    assert values["noise_floor"] == pytest.approx(0.04)
    assert panel.image.value == panel.last.png and "free-run RMSE" in panel.readout.value
    assert panel.image.layout.display is None
    assert not panel.button.disabled


@pytest.mark.parametrize("call, error, message", [
    (lambda: panels.noise_view(-0.1), ValueError, "noise must be in [0.0, 10.0], got -0.1"),
    (lambda: panels.noise_view("0.3"), TypeError, "noise must be a real number"),
    (lambda: panels.noise_view(0.1, seed=-1), ValueError, "seed must be an integer in [0, 4294967295], got -1"),
    (lambda: panels.retrain_view(float("nan")), ValueError, "noise must be in [0.0, 10.0], got nan"),
    (lambda: panels.retrain_view(0.1, config={"window": 10}), TypeError, "config must be CourseConfig, got dict"),
    (lambda: panels.retrain_view(0.1, on_epoch=3), TypeError, "on_epoch must be a function, got int"),
    (lambda: panels.WhatIfPanel(noise=0.9), ValueError, "noise must be in [0.0, 0.5], got 0.9"),
    (lambda: panels.WhatIfPanel(config=None), TypeError, "config must be CourseConfig, got NoneType"),
])
def test_bad_input_is_refused_with_its_name(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)


def test_loss_curve_png_is_a_picture():
    png = plots.loss_curve_png([0.5, 0.2, 0.1], [0.6, 0.3, 0.35])
    assert png[:4] == b"\x89PNG"
    assert int.from_bytes(png[16:20], "big") == 6 * views.PANEL_DPI >= 600     # 6 inches at the panels' 100 dpi
    with pytest.raises(ValueError, match="train_losses must be 1-D"):
        plots.loss_curve_png([[0.5]], [])
    with pytest.raises(ValueError, match="val_losses has 4 values, more than the 3 epochs of train_losses"):
        plots.loss_curve_png([0.5, 0.2, 0.1], [0.6, 0.3, 0.35, 0.3])


# ---------------------------------------------------------------- speed without memory: pure views, legible text

PURE_CASES = {   # view -> two different argument sets, A and B
    panels.gate_values_view: (dict(i_t=0.5, f_t=0.9, g_t=-0.8, o_t=0.7, c_prev=1.0),
                              dict(i_t=1.0, f_t=0.0, g_t=0.3, o_t=0.1, c_prev=-3.0)),
    panels.gate_from_inputs_view: (dict(x_t=1.0, h_prev=0.5, w_x=1.5, w_h=-0.4, b=0.1),
                                   dict(x_t=-3.0, h_prev=1.0, w_x=5.0, w_h=5.0, b=-5.0)),
    panels.memory_view: (dict(i=1.0, f=0.9), dict(i=0.2, f=0.5, steps=200)),
    panels.noise_view: (dict(noise=0.1), dict(noise=0.5)),
    panels.shape_explorer_view: (dict(seq_len=3, batch=2, input_size=5, hidden_size=6, num_layers=2,
                                      bidirectional=False, batch_first=False),
                                 dict(seq_len=10, batch=1, input_size=1, hidden_size=4, num_layers=4,
                                      bidirectional=True, batch_first=True, proj_size=2)),
    panels.gradient_flow_view: (dict(T=20, forget_bias=1.0, hidden=4), dict(T=60, forget_bias=-2.0, hidden=8)),
}


@pytest.mark.parametrize("view", list(PURE_CASES), ids=lambda v: v.__name__)
def test_a_view_draws_the_same_bytes_whatever_was_drawn_before(view):
    """A, B, A: the views reuse one Figure each, and the second A must be byte for byte the first.

    The browser tests compare the picture in Chromium with the view's bytes, so this is what keeps them meaningful.
    """
    a, b = PURE_CASES[view]
    first = view(**a).png
    other = view(**b).png
    again = view(**a).png
    assert first.startswith(PNG_MAGIC) and other != first
    assert again == first


def test_a_reused_figure_draws_what_a_fresh_one_draws():
    from matplotlib.figure import Figure

    from lstm_course.classroom import diagram

    args = (0.3, 0.8, -0.6, 0.9, 2.0)
    panels.gate_values_view(0.9, 0.1, 0.9, 0.1, -2.0)                 # leave something else on the kept figure
    fresh = Figure(figsize=(7.5, 4.6), dpi=views.PANEL_DPI)
    diagram.draw_cell(fresh.add_axes((0.0, 0.0, 1.0, 1.0)), *args)
    assert panels.gate_values_view(*args).png == views.figure_png(fresh)


def _text_activity():
    from lstm_course.topics import char_lstm as cl

    text = '(a+["(b"])\n' * 3
    c = np.stack([cl.text_features(text)["depth"], cl.text_features(text)["in_quote"]], axis=1)
    gates = np.stack([np.full(c.shape, v) for v in (0.2, 0.9, -0.5, 0.6)], axis=1)
    return cl.UnitActivity(text, c, np.tanh(c), gates)


def _variant_case():
    from lstm_course.topics import variants as V

    torch.manual_seed(0)
    x, y = V.adding_batch(20, 1, torch.Generator().manual_seed(3))
    return panels.variant_view, dict(model=V.VariantModel("vanilla", 2, 4), x=x, target=float(y), unit=1, marks=(2, 15))


EVERY_PANEL = {   # every view a panel shows -> a function giving (view, arguments), called when its test runs
    **{view.__name__: (lambda view=view, args=args: (view, args[0])) for view, args in PURE_CASES.items()},
    "gradient_flow_view T=300": lambda: (panels.gradient_flow_view, dict(T=300, forget_bias=1.0)),
    "shape_explorer_view 1 layer": lambda: (panels.shape_explorer_view, dict(
        seq_len=3, batch=2, input_size=5, hidden_size=6, num_layers=1, bidirectional=False, batch_first=False)),
    "unit_text_view": lambda: (panels.unit_text_view, dict(unit=0, colour_by="c_t", activity=_text_activity())),
    "variant_view": _variant_case,
    "retrain_view": lambda: (panels.retrain_view, dict(noise=0.1, config=CourseConfig(window=10, hidden=4, max_epochs=1))),
}


@pytest.mark.parametrize("name", list(EVERY_PANEL))
def test_no_text_in_a_panel_is_under_11_pt_at_the_size_shown(name, drawn_text_sizes, monkeypatch):
    """Drawn at 100 dpi and shown at its own size (the page's 96 px per inch), no font size is under
    MIN_FONT_PT = 11 pt (11.5 pt on the screen at 100 % zoom), whatever pyplot's own settings are."""
    import matplotlib

    view, args = EVERY_PANEL[name]()
    monkeypatch.setitem(matplotlib.rcParams, "font.size", 6.0)       # a learner's small default: the panels ignore it
    png = view(**args).png
    width = int.from_bytes(png[16:20], "big")
    assert drawn_text_sizes and min(size for _, size in drawn_text_sizes) >= views.MIN_FONT_PT >= 11, \
        sorted(drawn_text_sizes, key=lambda ts: ts[1])[:3]
    assert views.PANEL_DPI >= 100 and width <= 760                   # LivePanel's width: shown at its own size


@pytest.mark.parametrize("value, text", [(-1e-9, "0.0000"), (-0.0, "0.0000"), (0.0, "0.0000"), (4e-5, "0.0000"),
                                         (-5e-5, "-0.0001"), (0.25, "+0.2500"), (-math.inf, "-inf")])
def test_a_readout_never_shows_negative_zero(value, text):
    assert views.signed(value) == text
    assert f">{text}</span>" in views.readout_table([("v", "", value)])


def test_the_panels_show_zero_as_zero():
    view = panels.gate_values_view(i_t=0.0, f_t=0.5, g_t=-0.5, o_t=0.5, c_prev=-1e-7)   # kept = -5e-8, written = -0
    assert "-0.0000" not in view.html and "-0.00" not in view.html
    assert "data-name='written'>0.0000<" in view.html and "data-name='kept'>0.0000<" in view.html
    view = panels.gate_from_inputs_view(x_t=0.0, h_prev=1.0, w_x=-2.0, w_h=0.0, b=0.0)   # -2 * 0 = -0.0
    assert "-0.0000" not in view.html and "data-name='w_x·x_t'>0.0000<" in view.html


def _enter(name="v", figsize=(2.0, 1.0), margins=(0.1, 0.1, 0.1, 0.1), keep=False):
    with views.panel_figure(name, figsize, margins, keep=keep):
        pass


def test_panel_figure_keep_clears_only_an_empty_figure():
    with views.panel_figure("test-keep", (3.0, 2.0)) as fig:
        first = fig.add_subplot()
    with views.panel_figure("test-keep", (3.0, 2.0), keep=True) as fig:
        assert fig.axes == [first]               # kept: the view moves its artists instead of building them again
    with views.panel_figure("test-keep", (3.0, 2.0)) as fig:
        assert fig.axes == []                    # the default clears


@pytest.mark.parametrize("call, name", [
    (lambda: _enter(name=3), "name"),
    (lambda: _enter(figsize=[2.0, 1.0]), "figsize"),
    (lambda: _enter(figsize=(2.0,)), "figsize"),
    (lambda: _enter(figsize=(0.0, 1.0)), "figsize[0]"),
    (lambda: _enter(margins=(0.1, 0.1, 0.1)), "margins"),
    (lambda: _enter(margins=(0.1, 0.9, 0.1, 0.1)), "margins[1]"),
    (lambda: _enter(keep="yes"), "keep"),
    (lambda: views.signed("1"), "value"),
    (lambda: views.signed(float("nan")), "value"),
    (lambda: views.signed(1.0, digits=-1), "digits"),
])
def test_panel_figure_and_signed_check_their_arguments(call, name):
    from bad_input import assert_clear

    assert_clear(call, name)


def test_forecast_error_and_cost_pictures_draw_what_they_are_given():
    from matplotlib.figure import Figure

    noisy, clean = sine.article_data()
    ev = sine.judge(sine.persistence_forecast(noisy), noisy, clean)
    fig = Figure()
    ax = fig.add_subplot()
    plots.plot_forecast_errors(ax, clean, ev)
    one_step, free = (line.get_ydata() for line in ax.get_lines()[1:])
    assert np.allclose(one_step, ev.pred_next - clean[800:]) and np.allclose(free, ev.free - clean[800:])
    legend = ax.get_legend()
    assert legend.get_bbox_to_anchor().x0 >= ax.get_window_extent().x1 - 1     # beside the axes, not on the data
    with pytest.raises(ValueError, match="ev's forecasts"):
        plots.plot_forecast_errors(ax, clean[:900], ev)
    summary = {"a": {"mse_next_clean": (1e-3, 1e-4, 0, 0), "parameters": (10, 0, 0, 0), "seconds": (0.1, 0, 0, 0)},
               "b": {"mse_next_clean": (1e-4, 2e-4, 0, 0), "parameters": (0, 0, 0, 0), "seconds": (0, 0, 0, 0)}}
    ax_p, ax_t = Figure().subplots(1, 2)
    plots.plot_error_vs_cost(ax_p, ax_t, summary)
    assert ax_p.get_xscale() == ax_t.get_yscale() == "log"
    assert [t.get_text() for t in ax_t.get_legend().get_texts()] == ["a", "b"]
    with pytest.raises(ValueError, match="summary\\['a'\\] must hold"):
        plots.plot_error_vs_cost(ax_p, ax_t, {"a": {}})
