"""Property tests: the pictures and panel parts of classroom/ refuse bad input by name, at their boundary."""

import ipywidgets as widgets
import numpy as np
import pytest
from bad_input import assert_clear
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure

from lstm_course.classroom import plots, views

FAST = settings(max_examples=30, deadline=None)
JUNK = st.one_of(st.none(), st.text(max_size=4), st.just(1 + 2j), st.just([[1.0], [2.0, 3.0]]),
                 st.just(float("nan")), st.just(float("inf")), st.just(np.array(["a", "b"])),
                 st.just(np.zeros((2, 2, 2))), st.just(np.full(3, 1 + 1j)))


@pytest.fixture(scope="module")
def ax():
    return Figure().add_subplot()


@FAST
@given(z=JUNK)
def test_plot_squash_refuses_bad_pre_activations(ax, z):
    assert_clear(lambda: plots.plot_squash(ax, z), "z")


@FAST
@given(series=st.one_of(JUNK.map(lambda v: {"a": v}), st.just({}), st.just([1.0, 2.0]), st.none()))
def test_plot_unit_bars_refuses_bad_series(ax, series):
    assert_clear(lambda: plots.plot_unit_bars(ax, series), "series")


@FAST
@given(traces=st.one_of(JUNK.filter(lambda v: not (isinstance(v, np.ndarray) and v.ndim == 3)).map(lambda v: {"c": v}),
                        st.just({}), st.just("c"), st.just({"c": np.zeros(1001)})))
def test_plot_over_time_refuses_bad_traces(ax, traces):
    assert_clear(lambda: plots.plot_over_time(ax, traces), "traces")


@pytest.mark.parametrize("call,name", [
    (lambda ax: plots.plot_squash("not axes", [0.0]), "ax"),
    (lambda ax: plots.plot_squash(ax, [0.0], kind="relu"), "kind"),
    (lambda ax: plots.plot_squash(ax, np.zeros(65)), "z"),
    (lambda ax: plots.plot_unit_bars(ax, {"a": [1.0, 2.0], "b": [1.0]}), "every series"),
    (lambda ax: plots.plot_unit_bars(ax, {"a": [1.0]}, ylim=(1.0, 0.0)), "ylim"),
    (lambda ax: plots.plot_over_time(ax, {"c": [0.1, 0.2]}, labels=["one"]), "labels"),
    (lambda ax: plots.plot_over_time(ax, {"c": [0.1, 0.2]}, labels="ab"), "labels"),
])
def test_plot_arguments_are_checked(ax, call, name):
    assert_clear(lambda: call(ax), name)


@FAST
@given(rows=st.one_of(st.none(), st.just([("a", "b")]), st.just([("a", "b", "c")]), st.just([("a", "b", float("nan"))]),
                      st.just([(1, "b", 1.0)]), st.just("rows")))
def test_readout_table_refuses_malformed_rows(rows):
    assert_clear(lambda: views.readout_table(rows), "rows")


def test_readout_table_escapes_labels_and_reads_back_values():
    html = views.readout_table([("<c_t>", "f·c + i·g", 0.25)])
    assert "&lt;c_t&gt;" in html and "+0.2500" in html and "<c_t>" not in html


@pytest.mark.parametrize("call,name", [
    (lambda: views.figure_png("figure"), "fig"),
    (lambda: views.figure_png(Figure(), dpi=0), "dpi"),
    (lambda: views.figure_png(Figure(), dpi=80.5), "dpi"),
    (lambda: views.LivePanel(lambda **kw: None, {}), "control"),
    (lambda: views.LivePanel(lambda **kw: None, {"x": 3.0}), "control 'x'"),
    (lambda: views.LivePanel("view", {"x": widgets.FloatSlider()}), "view"),
    (lambda: views.LivePanel(lambda **kw: None, [widgets.FloatSlider()]), "controls"),
    (lambda: plots.plot_losses("ax", [1.0, 0.5], [0.8]), "ax"),
])
def test_view_parts_check_their_arguments(call, name):
    assert_clear(call, name)


def test_figure_png_renders_at_the_asked_resolution():
    png = views.figure_png(Figure(figsize=(2, 1)), dpi=50)
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and (width, height) == (100, 50)


def test_a_live_panel_shows_the_views_error_instead_of_raising():
    slider = widgets.FloatSlider(value=0.5, min=-1, max=1)

    def view(v):
        if v < 0:
            raise ValueError("v must be >= 0")
        return views.View(views.figure_png(Figure(figsize=(1, 1)), dpi=20), "<b>ok</b>", {"v": v})

    panel = views.LivePanel(view, {"v": slider})
    slider.value = -0.5
    assert panel.error == "v must be >= 0" and "v must be &gt;= 0" in panel.readout.value
    slider.value = 0.25
    assert panel.error is None and panel.last.values == {"v": 0.25}
