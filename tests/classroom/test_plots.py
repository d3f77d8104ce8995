"""The notebooks' static pictures on a projector: after ``use_course_style()`` no font size in them is under 11 pt.

Each ``plots`` function is drawn once on sample inputs; text that a notebook cell adds itself is checked in the
browser tests (no figure shrunk) and by tests/test_repository.py (no literal font size under 11).
"""

import matplotlib
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from lstm_course.classroom import plots, views
from lstm_course.topics import gradient_flow as gf
from lstm_course.topics import sine


def _ev():
    noisy, clean = sine.article_data()
    return noisy, clean, sine.judge(sine.persistence_forecast(noisy), noisy, clean)


PICTURES = {   # name -> draws on a fresh Figure, as a notebook cell does
    "plot_squash": lambda fig: plots.plot_squash(fig.add_subplot(), np.array([-1.0, 0.5, 2.0]), "tanh"),
    "plot_unit_bars": lambda fig: plots.plot_unit_bars(fig.add_subplot(), {"i_t": [0.2, 0.9], "f_t": [0.5, 0.1]}, "gates"),
    "plot_over_time": lambda fig: plots.plot_over_time(fig.add_subplot(), {"c_t": [0.1, 0.4, 0.2]}, ["a", "b", "c"], "c"),
    "plot_flows": lambda fig: plots.plot_flows(fig.add_subplot(), {"lstm": gf.gradient_flow("lstm", 10, hidden=4)}),
    "draw_layers": lambda fig: plots.draw_layers(fig.add_subplot(), 5, 2, True),
    "draw_reading": lambda fig: plots.draw_reading(fig.add_subplot(), ["the", "cat"], ["a", "b"]),
    "plot_losses": lambda fig: plots.plot_losses(fig.add_subplot(), [0.5, 0.2], [0.4, 0.3]),
    "plot_forecasts": lambda fig: plots.plot_forecasts(fig.add_subplot(), *_ev()),
    "plot_forecast_errors": lambda fig: plots.plot_forecast_errors(fig.add_subplot(), _ev()[1], _ev()[2]),
    "plot_error_vs_cost": lambda fig: plots.plot_error_vs_cost(*fig.subplots(1, 2), {
        "a": {"mse_next_clean": (1e-3, 1e-4, 0, 0), "parameters": (10, 0, 0, 0), "seconds": (0.1, 0, 0, 0)}}),
}


@pytest.mark.parametrize("name", list(PICTURES))
def test_after_use_course_style_no_text_is_under_11_pt(name, drawn_text_sizes):
    with matplotlib.rc_context():                 # restores pyplot's settings after the test
        matplotlib.rcParams["font.size"] = 6.0     # a learner's own small default, overridden by the course style
        plots.use_course_style()
        fig = Figure()
        PICTURES[name](fig)
        FigureCanvasAgg(fig).draw()
    assert fig.dpi == views.PANEL_DPI >= 100
    assert drawn_text_sizes and min(size for _, size in drawn_text_sizes) >= views.MIN_FONT_PT >= 11, \
        sorted(drawn_text_sizes, key=lambda ts: ts[1])[:3]


def test_without_the_course_style_the_check_sees_small_text(drawn_text_sizes):
    """The check above can fail: matplotlib's default 10 pt text is caught."""
    with matplotlib.rc_context({"font.size": 10.0}):
        fig = Figure()
        PICTURES["plot_losses"](fig)
        FigureCanvasAgg(fig).draw()
    assert min(size for _, size in drawn_text_sizes) == 10.0 < views.MIN_FONT_PT


def test_the_loss_curve_png_is_drawn_in_the_course_style_whatever_pyplot_says(drawn_text_sizes):
    with matplotlib.rc_context({"font.size": 6.0, "figure.dpi": 50}):
        png = plots.loss_curve_png([0.5, 0.2], [0.4, 0.3])
    assert min(size for _, size in drawn_text_sizes) >= views.MIN_FONT_PT
    assert int.from_bytes(png[16:20], "big") == 6 * views.PANEL_DPI     # 6 inches wide at 100 dpi
