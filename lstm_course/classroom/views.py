"""What a slider panel is made of: a ``View`` (PNG picture, HTML read-out, the numbers) and ``LivePanel``.

A view function takes slider values as keyword arguments and returns a
``View``. It draws on its own ``matplotlib.figure.Figure`` (never pyplot's
figures), in the course's text size and resolution (``course_style``), so it
is safe to call from a widget callback on any thread.
``LivePanel`` wires sliders to a view function; the notebooks only create the
sliders. The view functions themselves are in ``panels``.

Speed (a drag sends a value every few tens of milliseconds): each view
draws on its own Figure, kept between calls and cleared each time
(``panel_figure``), so the Agg renderer and its text and math-text caches
survive from one move to the next; ``figure_png`` renders once and encodes
with fast zlib settings. A view stays a pure function of its arguments:
the same arguments give the same PNG bytes whatever was drawn before.
"""

from __future__ import annotations

import html
import io
import math
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Iterator

import ipywidgets as widgets
import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from ..validate import check_bool, check_callable, check_in_range, check_instance, check_int

PANEL_DPI = 100    # >= 100 dpi for a projector; the widest panel, 7.6 in, is then 760 px, LivePanel's width
MIN_FONT_PT = 11   # no text smaller than this in a figure: at 100 dpi shown at its own size (the page's 96 px
                   # per inch) an 11 pt text is 11 * 100 / 96 = 11.5 pt on the screen at 100 % zoom
COURSE_RC = {"font.size": MIN_FONT_PT, "figure.dpi": PANEL_DPI, "savefig.dpi": PANEL_DPI}
PNG_COMPRESS_LEVEL = 1   # zlib level 1: a few per cent larger than the default 6, in a third of the time


@dataclass(frozen=True)
class View:
    """What a panel shows: ``png`` bytes, an ``html`` read-out, and the ``values`` behind them."""

    png: bytes
    html: str
    values: dict[str, float] = field(default_factory=dict)


def figure_png(fig: Figure, dpi: int = PANEL_DPI) -> bytes:
    """Render a ``Figure`` to PNG bytes with the Agg renderer: one draw, its pixels encoded by Pillow.

    The bytes depend only on what the figure holds (no time stamp, no
    version text), so equal figures give equal bytes.
    """
    check_instance("fig", fig, Figure, "a matplotlib Figure")
    fig.set_dpi(check_int("dpi", dpi, 20, 300))
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    canvas.draw()
    buf = io.BytesIO()
    Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba(), "raw", "RGBA", 0, 1).save(
        buf, format="png", compress_level=PNG_COMPRESS_LEVEL)
    return buf.getvalue()


_FIGURES: dict[str, Figure] = {}
_DRAW_LOCK = threading.RLock()


@contextmanager
def course_style() -> Iterator[None]:
    """Draw inside this block with the course's text size and resolution (``COURSE_RC``), whatever pyplot's are.

    matplotlib reads its rc settings when an artist is made, and they are global:
    the block holds a lock, so the course draws one picture at a time (a
    callback on another thread waits). On leaving, every rc setting is restored
    to what it was on entering: pyplot code running on another thread at that
    moment, outside this lock, would lose a change it made meanwhile.
    """
    with _DRAW_LOCK, matplotlib.rc_context(COURSE_RC):
        yield


@contextmanager
def panel_figure(name: str, figsize: tuple[float, float],
                 margins: tuple[float, float, float, float] = (0.8, 0.6, 0.2, 0.4),
                 keep: bool = False) -> Iterator[Figure]:
    """The Figure kept for the view ``name``, cleared and sized ``figsize`` (inches), for one call's drawing.

    Use as ``with panel_figure("memory_view", (7, 3)) as fig: ...`` and render
    with ``figure_png`` inside the block, which draws in ``course_style``
    (a callback on another thread waits until the block ends). Subplots fill
    the figure less ``margins`` (left, bottom, right, top, in inches: room
    for tick labels and titles). Fixed margins, not a layout engine: tight
    and constrained layouts measure every text before drawing, which
    doubles the time of a draw.

    With ``keep=True`` the figure is cleared only the first time: a view that
    builds its axes once (``if not fig.axes: ...``) and then only moves its
    artists saves what dominates a small figure's time, making axes and ticks.
    Such a view must set every artist it shows on every call, so that its
    picture depends on its arguments alone.
    """
    check_instance("name", name, str)
    check_bool("keep", keep)
    for arg, value in (("figsize", figsize), ("margins", margins)):
        check_instance(arg, value, tuple, "a tuple of inches")
    if len(figsize) != 2 or len(margins) != 4:
        raise ValueError(f"figsize must be (width, height) and margins (left, bottom, right, top), in inches, "
                         f"got {figsize!r} and {margins!r}")
    width, height = (check_in_range(f"figsize[{k}]", v, 0.5, 20.0) for k, v in enumerate(figsize))
    left, bottom, right, top = (check_in_range(f"margins[{k}]", v, 0.0, 0.45 * (height if k % 2 else width))
                                for k, v in enumerate(margins))
    with course_style():
        if name not in _FIGURES:
            _FIGURES[name] = Figure(dpi=PANEL_DPI)
            FigureCanvasAgg(_FIGURES[name])
        fig = _FIGURES[name]
        if not (keep and fig.axes):
            fig.clear()
            fig.set_size_inches(width, height)
            fig.subplots_adjust(left=left / width, bottom=bottom / height, right=1 - right / width,
                                top=1 - top / height)
        yield fig


def signed(value: float, digits: int = 4) -> str:
    """``value`` with its sign and ``digits`` decimals; anything that rounds to zero reads 0.0000, never -0.0000.

    ``signed(0.25)`` is '+0.2500', ``signed(-1e-9)`` is '0.0000', ``signed(-math.inf)`` is '-inf'.
    """
    value = check_in_range("value", value, -math.inf, math.inf)
    text = f"{value:+.{check_int('digits', digits, 0, 12)}f}"
    return text[1:] if float(text) == 0 else text


def readout_table(rows: list[tuple[str, str, float]]) -> str:
    """An HTML table of (label, formula, value) rows; each value carries data-name, for tests and screen readers."""
    check_instance("rows", rows, (list, tuple), "a list of (label, formula, value) rows")
    for k, row in enumerate(rows):
        if not (isinstance(row, tuple) and len(row) == 3 and isinstance(row[0], str) and isinstance(row[1], str)):
            raise TypeError(f"rows[{k}] must be a (label, formula, value) tuple of two strings and a number, got {row!r}"[:300])
        check_in_range(f"rows[{k}] value", row[2], -math.inf, math.inf)
    cells = "".join(
        f"<tr><td style='padding:2px 8px'>{html.escape(label)}</td><td style='padding:2px 8px;color:#6b7280'>{html.escape(formula)}</td>"
        f"<td style='padding:2px 8px;text-align:right;font-family:monospace'>"
        f"<span class='lstm-value' data-name='{html.escape(label, quote=True)}'>{signed(value)}</span></td></tr>"
        for label, formula, value in rows)
    return f"<table class='lstm-readout'>{cells}</table>"


class LivePanel(widgets.VBox):
    """Sliders, a picture and a read-out; any slider change re-runs ``view`` at once.

    ``controls`` maps the view's keyword arguments to widgets with a ``value``.
    After each change ``last`` holds the newest ``View`` (or ``error`` the
    message of the ``ValueError`` that the view raised).
    """

    def __init__(self, view: Callable[..., View], controls: dict[str, widgets.ValueWidget]):
        check_callable("view", view)
        check_instance("controls", controls, dict, "a dict of keyword -> widget")
        if not controls:
            raise ValueError("a panel needs at least one control")
        for name, control in controls.items():
            if not (isinstance(control, widgets.Widget) and control.has_trait("value")):
                raise ValueError(f"control {name!r} must be a widget with a value (e.g. a FloatSlider), "
                                 f"got {type(control).__name__}; fix other arguments with functools.partial")
        self.view, self.controls = view, controls
        self.image = widgets.Image(format="png", layout=widgets.Layout(max_width="760px"))
        self.readout = widgets.HTML()
        self.last: View | None = None
        self.error: str | None = None
        super().__init__([widgets.HBox([widgets.VBox(list(controls.values())), self.readout]), self.image])
        self.add_class("lstm-live-panel")  # a handle for the browser tests
        for control in controls.values():
            control.observe(self.refresh, names="value")
        self.refresh()

    def refresh(self, change=None) -> None:
        """Recompute the view from the current control values and show it."""
        try:
            self.last = self.view(**{name: c.value for name, c in self.controls.items()})
        except ValueError as exc:
            self.error = str(exc)
            self.readout.value = f"<b style='color:#b42318'>{html.escape(self.error)}</b>"
            return
        self.error = None
        self.image.value = self.last.png
        self.readout.value = self.last.html
