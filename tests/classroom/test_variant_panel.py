"""Notebook 08's panel: switch a gate off (or couple two) in a model and see one unit's gates and c_t over a probe."""

import functools

import ipywidgets as widgets
import pytest
import torch

from lstm_course.classroom import panels
from lstm_course.classroom.views import LivePanel
from lstm_course.topics import variants as V
from tests.bad_input import assert_clear

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def model(variant="vanilla", hidden=4):
    torch.manual_seed(0)
    return V.VariantModel(variant, 2, hidden)


def probe():
    return V.adding_batch(20, 1, torch.Generator().manual_seed(3))


def test_with_every_switch_as_trained_the_view_shows_the_models_own_answer_and_cell():
    m, (x, y) = model(), probe()
    view = panels.variant_view(m, x, float(y), unit=1, marks=(2, 15))
    assert view.png.startswith(PNG_MAGIC)
    with torch.no_grad():
        want = float(m(x))
        c = m.rnn.trace(x)["c_t"][0]
    assert view.values["answer"] == pytest.approx(want, abs=1e-6)
    assert view.values["c_T"] == pytest.approx(float(c[-1, 1]), abs=1e-6)
    assert view.values["max_abs_c"] == pytest.approx(float(c.abs().max()), abs=1e-6)
    assert view.values["params"] == V.parameter_count("vanilla", 2, 4)
    assert "target" in view.html and "lstm-value" in view.html
    assert panels.variant_view(m, x, float(y), unit=1, marks=(2, 15)).png == view.png      # a pure function


def test_each_switch_changes_what_it_says():
    m, (x, _) = model(), probe()
    nfg = panels.variant_view(m, x, forget_gate=False)
    assert nfg.values["mean_f"] == 1.0 and nfg.values["params"] == V.parameter_count("NFG", 2, 4)
    cifg = panels.variant_view(m, x, coupled=True)
    assert cifg.values["mean_f"] == pytest.approx(1 - cifg.values["mean_i"])
    assert panels.variant_view(m, x, input_gate=False).values["mean_i"] == 1.0
    assert panels.variant_view(m, x, output_activation=False).values["answer"] != \
        panels.variant_view(m, x).values["answer"]


def test_the_panel_redraws_when_a_checkbox_changes_and_shows_an_impossible_pair_as_an_error():
    m, (x, y) = model(), probe()
    boxes = {name: widgets.Checkbox(value=name != "coupled", description=name) for name in (
        "input_gate", "forget_gate", "output_gate", "input_activation", "output_activation", "coupled")}
    panel = LivePanel(functools.partial(panels.variant_view, m, x, float(y)), boxes)
    first = panel.last
    boxes["coupled"].value = True
    assert panel.error is None and panel.last.values["params"] < first.values["params"]
    boxes["forget_gate"].value = False                       # CIFG needs a forget gate to couple: refused by name
    assert panel.error is not None and "coupled" in panel.error
    boxes["coupled"].value = False
    assert panel.error is None and panel.last.values["mean_f"] == 1.0


def test_bad_input_is_refused_by_name():
    m, (x, _) = model(), probe()
    assert_clear(lambda: panels.variant_view("model", x), "model")
    assert_clear(lambda: panels.variant_view(model("GRU"), x), "model")
    assert_clear(lambda: panels.variant_view(m, x[0]), "x")
    assert_clear(lambda: panels.variant_view(m, torch.cat([x, x])), "x")
    assert_clear(lambda: panels.variant_view(m, x, unit=4), "unit")
    assert_clear(lambda: panels.variant_view(m, x, marks=(20,)), "marks")
    assert_clear(lambda: panels.variant_view(m, x, marks=[1]), "marks")
    assert_clear(lambda: panels.variant_view(m, x, target=float("nan")), "target")
    assert_clear(lambda: panels.variant_view(m, x, coupled=1), "coupled")
