"""The panels of notebooks 04 and 05: the gradient-flow view and the shape explorer, driven by their sliders."""

import math

import ipywidgets as widgets
import pytest

from lstm_course.classroom import panels
from lstm_course.classroom.panels import LivePanel
from lstm_course.topics import gradient_flow as gf
from lstm_course.topics import lstm_api

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def sigmoid(b):
    return 1 / (1 + math.exp(-b))


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
