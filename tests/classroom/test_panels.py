"""The slider callbacks: plain functions, driven here through real ipywidgets."""

import functools
import math

import ipywidgets as widgets
import pytest

from lstm_course.classroom import panels as playgrounds
from lstm_course.lstm.activations import sigmoid

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
    panel = playgrounds.LivePanel(playgrounds.gate_values_view, gate_sliders())
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
    assert playgrounds.gate_values_view(0.0, 1.0, 0.9, 1.0, 1.7).values["c_t"] == 1.7   # perfect memory
    assert playgrounds.gate_values_view(1.0, 0.0, -0.3, 1.0, 1.7).values["c_t"] == -0.3  # overwritten
    v = playgrounds.gate_values_view(0.2, 0.8, 0.5, 0.0, 1.0).values
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
        playgrounds.gate_values_view(**args)


def test_panel_shows_a_view_error_instead_of_raising():
    sliders = gate_sliders()
    sliders["f_t"] = widgets.FloatSlider(value=0.5, min=0, max=2)   # a badly built slider can leave [0, 1]
    panel = playgrounds.LivePanel(playgrounds.gate_values_view, sliders)
    good = panel.last
    panel.controls["f_t"].value = 1.5
    assert panel.error == "f_t must be in [0.0, 1.0], got 1.5"
    assert "f_t must be in" in panel.readout.value and panel.last is good
    panel.controls["f_t"].value = 0.25
    assert panel.error is None and panel.last.values["f_t"] == 0.25


def test_gate_from_inputs_slider_follows_sigmoid_of_preactivation():
    sliders = {n: widgets.FloatSlider(value=v, min=-5, max=5, step=0.01)
               for n, v in dict(x_t=1.0, h_prev=0.5, w_x=1.5, w_h=-0.4, b=0.1).items()}
    panel = playgrounds.LivePanel(playgrounds.gate_from_inputs_view, sliders)
    for name, value in [("x_t", -2.0), ("w_h", 3.0), ("b", 4.0), ("h_prev", -1.0), ("w_x", 0.0)]:
        panel.controls[name].value = value
        v = {k: c.value for k, c in panel.controls.items()}
        z = v["w_x"] * v["x_t"] + v["w_h"] * v["h_prev"] + v["b"]
        assert panel.last.values["z"] == pytest.approx(z, abs=1e-12)
        assert panel.last.values["gate"] == pytest.approx(float(sigmoid(z)), abs=1e-12)
        assert shown(panel, "gate") == pytest.approx(float(sigmoid(z)), abs=5e-5)


def test_memory_slider_half_life():
    panel = playgrounds.LivePanel(playgrounds.memory_view, {
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
    w = widgets.interactive(playgrounds.gate_values_view, i_t=(0.0, 1.0), f_t=(0.0, 1.0), g_t=(-1.0, 1.0),
                            o_t=(0.0, 1.0), c_prev=(-3.0, 3.0))
    next(c for c in w.kwargs_widgets if c.description == "f_t").value = 0.25
    w.update()
    kw = w.kwargs
    c_t, h_t = expected_cell(kw["i_t"], kw["f_t"], kw["g_t"], kw["o_t"], kw["c_prev"])
    assert kw["f_t"] == 0.25
    assert w.result.values["c_t"] == pytest.approx(c_t) and w.result.values["h_t"] == pytest.approx(h_t)


def test_panel_rejects_non_widget_controls():
    with pytest.raises(ValueError, match="control 'b' must be a widget with a value"):
        playgrounds.LivePanel(playgrounds.gate_from_inputs_view, {"b": 0.3})
    with pytest.raises(ValueError, match="at least one control"):
        playgrounds.LivePanel(playgrounds.gate_values_view, {})


def test_partial_fixes_the_other_arguments():
    view = functools.partial(playgrounds.gate_from_inputs_view, h_prev=0.0, w_x=2.0, w_h=0.0, b=0.0)
    panel = playgrounds.LivePanel(view, {"x_t": widgets.FloatSlider(value=0.0, min=-3, max=3)})
    assert panel.last.values["gate"] == 0.5
    panel.controls["x_t"].value = 2.0
    assert panel.last.values["gate"] == pytest.approx(float(sigmoid(4.0)))


def test_views_do_not_touch_pyplot_state():
    import matplotlib.pyplot as plt
    before = plt.get_fignums()
    playgrounds.gate_values_view(0.5, 0.5, 0.5, 0.5, 0.5)
    playgrounds.memory_view(0.9, 1.0)
    assert plt.get_fignums() == before


def test_memory_view_bounds_its_steps_and_half_life_lines():
    with pytest.raises(ValueError, match="steps must be at most 1000, got 100000: the picture has one point per step"):
        playgrounds.memory_view(0.5, 0.5, steps=100_000)
    with pytest.raises(ValueError, match=r"f must be in \[0.0, 1.0\], got nan"):
        playgrounds.memory_view(float("nan"), 0.5)
    import time
    start = time.perf_counter()
    tiny = playgrounds.memory_view(1e-300, 0.5)     # half-life 0.001 steps: once 29,000 lines, now a few
    assert time.perf_counter() - start < 5.0       # it took 20-57 s; generous bound for a busy machine
    assert tiny.values["half_life"] == pytest.approx(math.log(0.5) / math.log(1e-300))
    assert tiny.values["c_last"] == 0.0 and tiny.values["c_1"] == 0.5
