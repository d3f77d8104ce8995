"""The learner's experience end to end: notebooks run in JupyterLab, widgets render, sliders redraw."""

from __future__ import annotations

import json
import math
import statistics
import time
from pathlib import Path

import pytest
from lab_page import (
    broken_widget_texts,
    error_outputs,
    image_bytes,
    key_to_figure_ms,
    move_slider,
    notebook,
    open_notebook,
    output_signature,
    run_all_cells,
    shrunk_figures,
    slider_value,
)

from conftest import ARTIFACTS

from lstm_course.classroom.panels import gate_values_view
from lstm_course.classroom.views import signed
from lstm_course.topics.variants import parameter_count

NOTEBOOKS = sorted(p.name for p in (Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))
SLIDER_ORDER = ("i_t", "f_t", "g_t", "o_t", "c_prev")   # the order of the sliders in notebook 01's first panel (torch's gate order)


def assert_ran_clean(page, name: str) -> None:
    assert not error_outputs(page), f"{name}: cells show errors: {error_outputs(page)[:2]}"
    assert not broken_widget_texts(page), f"{name}: widgets did not render: {broken_widget_texts(page)}"


def widget_outputs(page):
    """Output areas holding a widget that has a control (slider or button)."""
    areas = notebook(page).locator(".jp-OutputArea-output:has(.jupyter-widgets)")
    return [areas.nth(k) for k in range(areas.count())
            if areas.nth(k).locator(".widget-slider .noUi-handle, button.jupyter-button").count()]


def assert_control_changes_output(page, area, label: str) -> None:
    """Move the first slider of ``area`` (or click its first button) and wait until its output changes."""
    area.scroll_into_view_if_needed()
    before = output_signature(area)
    sliders = area.locator(".widget-slider")
    if sliders.count():
        handle = sliders.first.locator(".noUi-handle")
        at_max = handle.get_attribute("aria-valuenow") == handle.get_attribute("aria-valuemax")
        move_slider(page, sliders.first, 3, "ArrowLeft" if at_max else "ArrowRight")
    else:
        area.locator("button.jupyter-button").first.click()
    page.wait_for_function("([el, before]) => { const c = el.cloneNode(true);"
                           " c.querySelectorAll('.widget-slider').forEach(s => s.remove());"
                           " const srcs = [...el.querySelectorAll('img')].map(e => e.src);"
                           " return JSON.stringify([srcs, c.innerText]) !== JSON.stringify(before); }",
                           arg=[area.element_handle(), list(before)], timeout=90_000)
    assert output_signature(area) != before, f"{label} did not change"


def assert_figures_at_their_own_size(page, name: str) -> None:
    """Projector legibility, measured: in the classroom layout on a 1280-px-wide screen no figure is shrunk, so none
    of its text is under 11 pt (11.5 pt on the screen)."""
    total, shrunk = shrunk_figures(page)
    (ARTIFACTS / "figures").mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "figures" / f"{name}.json").write_text(json.dumps({"figures shown": total, "shrunk": shrunk}) + "\n")
    print(f"\n{name}: {total} figures, none shrunk on a 1280-px screen in presentation mode" if not shrunk else "")
    assert total >= 1, f"{name}: no figure shown"            # every notebook shows at least one picture
    assert not shrunk, f"{name}: figures shrunk on a 1280-px screen in presentation mode [natural, shown px]: {shrunk}"


def _runs_and_its_widgets_respond(lab, page, name):
    open_notebook(page, lab, name)
    run_all_cells(page)
    assert_ran_clean(page, name)
    assert_figures_at_their_own_size(page, name)
    uses_widgets = "widgets" in (lab.root / name).read_text()
    outputs = widget_outputs(page)
    assert bool(outputs) == uses_widgets, f"{name}: expected widgets: {uses_widgets}, rendered: {len(outputs)}"
    for k, area in enumerate(outputs):
        assert_control_changes_output(page, area, f"{name}: widget output {k}")
    assert_ran_clean(page, name)


def _notebook_test_class(name: str) -> type:
    """One class per notebook: --dist loadscope sends each to a free worker (each runs its own JupyterLab),
    so the notebooks' runs in the browser spread over both workers instead of queueing on one."""
    def test_notebook_runs_and_its_widgets_respond(self, lab, page):
        _runs_and_its_widgets_respond(lab, page, name)
        if name in MORE_CHECKS:
            MORE_CHECKS[name](page)

    return type(f"TestNotebook_{name[:-6]}", (), {"test_notebook_runs_and_its_widgets_respond":
                                                  test_notebook_runs_and_its_widgets_respond})


# The notebooks that train run first, the longest first (50, 50, 40 and 28 s in the browser), so that the short
# ones and the site's pages fill in and the two workers finish together.
TRAINING_NOTEBOOKS = ("08_", "07_", "04_", "09_")
for _name in sorted(NOTEBOOKS, key=lambda n: ([n.startswith(t) for t in TRAINING_NOTEBOOKS] + [True]).index(True)):
    if not _name.startswith("01_"):                     # 01 has tests of its own, below
        _cls = _notebook_test_class(_name)
        globals()[_cls.__name__] = _cls


@pytest.fixture(scope="module")
def notebook_01(lab, make_page):
    """Notebook 01 opened and run once; its first panel holds the five gate sliders."""
    pg = make_page()
    open_notebook(pg, lab, "01_lstm_cell_gate_by_gate.ipynb")
    run_all_cells(pg)
    return pg


def gate_panel(page):
    panel = notebook(page).locator(".lstm-live-panel").first
    panel.scroll_into_view_if_needed()
    return panel


def shown_values(panel) -> dict[str, float]:
    sliders = panel.locator(".widget-slider")
    assert sliders.count() == len(SLIDER_ORDER)
    return {name: slider_value(sliders.nth(k)) for k, name in enumerate(SLIDER_ORDER)}


def wait_for_readout(page, panel, values: dict[str, float], timeout_s: float = 20) -> None:
    """Wait until the panel shows the c_t and h_t the equations give for ``values``."""
    c_t = values["f_t"] * values["c_prev"] + values["i_t"] * values["g_t"]
    want = {"c_t": signed(c_t), "h_t": signed(values["o_t"] * math.tanh(c_t))}
    deadline = time.monotonic() + timeout_s
    while True:
        got = {n: panel.locator(f".lstm-value[data-name='{n}']").inner_text() for n in want}
        if got == want:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"for sliders {values} the panel shows {got}, the equations give {want}")
        time.sleep(0.1)


def assert_figure_is(page, panel, values: dict[str, float]) -> None:
    """The picture in the browser is byte for byte the one the view draws for ``values``."""
    expected = gate_values_view(**values).png
    deadline = time.monotonic() + 20
    while image_bytes(page, panel.locator("img").first) != expected:
        assert time.monotonic() < deadline, f"the figure does not match the sliders {values}"
        time.sleep(0.2)


def test_notebook_01_runs_clean(notebook_01):
    assert_ran_clean(notebook_01, "01")
    assert_figures_at_their_own_size(notebook_01, "01")
    assert notebook(notebook_01).locator(".lstm-live-panel").count() == 3


@pytest.mark.parametrize("k", [1, 2], ids=["gate_from_inputs", "memory"])
def test_notebook_01_other_playgrounds_respond(notebook_01, k):
    panel = notebook(notebook_01).locator(".lstm-live-panel").nth(k)
    assert_control_changes_output(notebook_01, panel, f"01: playground {k}")
    assert_ran_clean(notebook_01, "01")


@pytest.mark.parametrize("k", range(len(SLIDER_ORDER)), ids=SLIDER_ORDER)
def test_each_gate_slider_updates_numbers_and_figure(notebook_01, k):
    page = notebook_01
    panel = gate_panel(page)
    before = shown_values(panel)
    img_src = panel.locator("img").first.get_attribute("src")
    slider = panel.locator(".widget-slider").nth(k)
    move_slider(page, slider, 4, "ArrowLeft" if before[SLIDER_ORDER[k]] > 0 else "ArrowRight")
    page.wait_for_function("([el, v]) => el.innerText.replace('\\u2212', '-') !== v",
                           arg=[slider.locator(".widget-readout").element_handle(), f"{before[SLIDER_ORDER[k]]:.2f}"])
    after = shown_values(panel)
    assert after[SLIDER_ORDER[k]] != before[SLIDER_ORDER[k]]
    assert {n: v for n, v in after.items() if n != SLIDER_ORDER[k]} == {n: v for n, v in before.items() if n != SLIDER_ORDER[k]}
    wait_for_readout(page, panel, after)
    assert_figure_is(page, panel, after)
    assert panel.locator("img").first.get_attribute("src") != img_src


def test_twenty_fast_moves_end_on_the_right_figure(notebook_01):
    page = notebook_01
    panel = gate_panel(page)
    slider = panel.locator(".widget-slider").first          # i_t: the sliders follow torch's order i, f, g, o
    start = slider_value(slider)
    move_slider(page, slider, 20, "ArrowLeft" if start >= 0.5 else "ArrowRight")
    final = shown_values(panel)
    assert abs(final[SLIDER_ORDER[0]] - start) == pytest.approx(0.20, abs=1e-9)
    wait_for_readout(page, panel, final)
    assert_figure_is(page, panel, final)
    img = panel.locator("img").first
    size = img.evaluate("el => [el.complete, el.naturalWidth, el.naturalHeight]")
    assert size == [True, 750, 460], size     # 7.5 x 4.6 inches at 100 dpi: the whole figure, at its own size


PANELS_01 = ("gate_values", "gate_from_inputs", "memory")   # notebook 01's live panels, in order
MOVES = 6


@pytest.mark.parametrize("k", range(len(PANELS_01)), ids=PANELS_01)
def test_key_press_to_new_figure_time(notebook_01, k, record_property):
    """How long a learner waits after one arrow key on a slider until the new figure shows: reported, not asserted.

    The first slider of each panel of notebook 01 moves one step at a time,
    each press waiting for its figure; the median and the slowest of the
    presses are printed (pytest -s) and recorded as properties (junit XML).
    """
    page = notebook_01
    panel = notebook(page).locator(".lstm-live-panel").nth(k)
    panel.scroll_into_view_if_needed()
    slider, img = panel.locator(".widget-slider").first, panel.locator("img").first
    handle = slider.locator(".noUi-handle")
    up = float(handle.get_attribute("aria-valuenow")) < float(handle.get_attribute("aria-valuemax"))
    times = []
    for m in range(MOVES):        # forth then back, so the slider ends near where it started
        key = "ArrowRight" if (m < MOVES // 2) == up else "ArrowLeft"
        times.append(key_to_figure_ms(page, slider, img, key))
    median = statistics.median(times)
    record_property(f"{PANELS_01[k]}_key_to_figure_ms_median", round(median, 1))
    record_property(f"{PANELS_01[k]}_key_to_figure_ms_max", round(max(times), 1))
    print(f"\nnotebook 01, {PANELS_01[k]}_view: key press to new figure, median {median:.0f} ms, "
          f"slowest {max(times):.0f} ms over {MOVES} presses ({', '.join(f'{t:.0f}' for t in times)})")
    assert len(times) == MOVES and all(t > 0 for t in times)
    assert_ran_clean(page, "01")


def _notebook_08_unticking_coupled_gives_the_cell_its_own_forget_gate(pg) -> None:
    """Notebook 08's panel starts on the trained CIFG cell; unticking 'coupled' rebuilds it with a forget-gate
    block of its own (the read-out's parameter count rises from CIFG's to the vanilla cell's). Checked on the
    page the notebook already ran on (running notebook 08 takes a minute)."""
    panel = notebook(pg).locator(".lstm-live-panel:has(.widget-checkbox)").first
    panel.scroll_into_view_if_needed()
    params = panel.locator(".lstm-value[data-name='parameters']")
    assert params.inner_text() == signed(parameter_count("CIFG", 2, 16))
    panel.locator(".widget-checkbox:has-text('coupled') input").click()
    want, deadline = signed(parameter_count("vanilla", 2, 16)), time.monotonic() + 20
    while params.inner_text() != want:
        assert time.monotonic() < deadline, f"after unticking 'coupled' the panel shows {params.inner_text()}"
        time.sleep(0.1)


# Checks of one notebook's own panels, run on the page its test above has just run the notebook on.
MORE_CHECKS = {"08_lstm_variants_measured.ipynb": _notebook_08_unticking_coupled_gives_the_cell_its_own_forget_gate}
