"""What a slider panel is made of: a ``View`` (PNG picture, HTML read-out, the numbers) and ``LivePanel``.

A view function takes slider values as keyword arguments and returns a
``View``. It draws on its own ``matplotlib.figure.Figure`` (never pyplot's
global state), so it is safe to call from a widget callback on any thread.
``LivePanel`` wires sliders to a view function; the notebooks only create the
sliders. The view functions themselves are in ``panels``.
"""

from __future__ import annotations

import html
import io
import math
from dataclasses import dataclass, field
from typing import Callable

import ipywidgets as widgets
from matplotlib.figure import Figure

from ..validate import check_callable, check_in_range, check_instance, check_int


@dataclass(frozen=True)
class View:
    """What a panel shows: ``png`` bytes, an ``html`` read-out, and the ``values`` behind them."""

    png: bytes
    html: str
    values: dict[str, float] = field(default_factory=dict)


def figure_png(fig: Figure, dpi: int = 80) -> bytes:
    """Render a ``Figure`` to PNG bytes with the Agg renderer."""
    check_instance("fig", fig, Figure, "a matplotlib Figure")
    dpi = check_int("dpi", dpi, 20, 300)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


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
        f"<span class='lstm-value' data-name='{html.escape(label, quote=True)}'>{value:+.4f}</span></td></tr>"
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
