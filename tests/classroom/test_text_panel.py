"""Notebook 09's text view: characters coloured by one unit's signal, its gates drawn, driven through real widgets."""

import functools
import re

import ipywidgets as widgets
import numpy as np
import pytest

from lstm_course.classroom import panels
from lstm_course.classroom.views import LivePanel
from lstm_course.topics import char_lstm as cl
from tests.bad_input import assert_clear

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def activity(T=30, H=3):
    """A UnitActivity made by hand: unit 0's c_t is the nesting depth, unit 1's the quote flag, unit 2 constant."""
    text = ('(a+["(b"])\n' * 10)[:T]
    f = cl.text_features(text)
    c = np.stack([f["depth"], f["in_quote"], np.full(T, 0.5)], axis=1)[:, :H]
    gates = np.stack([np.full((T, H), v) for v in (0.2, 0.9, -0.5, 0.6)], axis=1)
    return cl.UnitActivity(text, c, np.tanh(c), gates)


def spans(view):
    return re.findall(r"<span style='background:rgba\(([\d,]+),([\d.]+)\)'>(.*?)</span>", view.html)


def test_each_character_is_coloured_by_the_unit_and_the_readout_gives_its_r():
    act = activity()
    view = panels.unit_text_view(0, "c_t", act, length=11)
    assert view.png.startswith(PNG_MAGIC)
    shown = spans(view)
    assert "".join(ch for *_, ch in shown) == '(a+[&quot;(b&quot;])↵'
    depth = cl.nesting_depth(act.text)[:11]
    assert [float(a) for _, a, _ in shown] == pytest.approx(depth / depth.max(), abs=0.005)
    f = cl.text_features(act.text)
    assert view.values["r_depth"] == pytest.approx(1.0)
    assert view.values["r_in_quote"] == pytest.approx(np.corrcoef(f["depth"], f["in_quote"])[0, 1])
    quote = panels.unit_text_view(1, "c_t", act)
    assert quote.values["r_in_quote"] == pytest.approx(1.0)
    assert panels.unit_text_view(2, "c_t", act).values["r_depth"] == 0.0          # a constant unit: no r


def test_gates_colour_from_zero_to_one_and_the_window_moves():
    act = activity()
    forget = spans(panels.unit_text_view(0, "f_t", act, start=5, length=4))
    assert len(forget) == 4 and {float(a) for _, a, _ in forget} == {0.9}
    assert {rgb for rgb, _, _ in spans(panels.unit_text_view(0, "g_t", act))} == {"180,35,24"}   # g_t < 0: red
    end = panels.unit_text_view(0, "c_t", act, start=25, length=400)
    assert (end.values["start"], end.values["stop"]) == (25, 30)


def test_the_panel_redraws_when_the_unit_or_the_signal_changes():
    act = activity()
    unit = widgets.IntSlider(value=0, min=0, max=2)
    signal = widgets.Dropdown(options=cl.SIGNALS, value="c_t")
    panel = LivePanel(functools.partial(panels.unit_text_view, activity=act), {"unit": unit, "colour_by": signal})
    first = panel.last
    unit.value = 1
    assert panel.last.values["unit"] == 1 and panel.last.html != first.html
    signal.value = "o_t"
    assert panel.error is None and "o_t" in panel.readout.value


def test_bad_input_is_refused_by_name():
    act = activity()
    assert_clear(lambda: panels.unit_text_view(3, "c_t", act), "unit")
    assert_clear(lambda: panels.unit_text_view(0, "z_t", act), "colour_by")
    assert_clear(lambda: panels.unit_text_view(0, "c_t", "act"), "activity")
    assert_clear(lambda: panels.unit_text_view(0, "c_t", act, start=30), "start")
    assert_clear(lambda: panels.unit_text_view(0, "c_t", act, length=0), "length")
    assert_clear(lambda: panels.unit_text_view(0, "c_t", act, length=panels.TEXT_VIEW_CHARS + 1), "length")
    assert_clear(lambda: panels.unit_text_view(1.5, "c_t", act), "unit")


def test_the_r_kept_between_moves_follows_the_signal_and_goes_with_the_activity():
    import gc

    act = activity()
    for signal in ("c_t", "f_t", "c_t"):
        view = panels.unit_text_view(0, signal, act)
        assert view.values["r_depth"] == pytest.approx(cl.unit_table(act, signal)["depth"][0])
    assert act in panels._UNIT_R
    kept = len(panels._UNIT_R)          # other tests' panels (alive in ipywidgets' registry) keep theirs
    del act, view
    gc.collect()
    assert len(panels._UNIT_R) == kept - 1
