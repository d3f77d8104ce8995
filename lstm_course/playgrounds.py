"""The sliders' callbacks: plain functions from slider values to a ``View``.

A view function takes the slider values as keyword arguments and returns a
``View``: a PNG picture, an HTML read-out and the numbers behind both. It
draws on its own ``matplotlib.figure.Figure`` (never pyplot's global state),
so it is safe to call from a widget callback on any thread. ``LivePanel``
wires sliders to a view function; the notebooks only create the sliders.
"""

from __future__ import annotations

import html
import io
import math
from dataclasses import dataclass, field
from typing import Callable

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from .activations import sigmoid
from .cell import cell_from_gates
from .diagram import draw_cell
from .memory import half_life, pulse, run_scalar_cell
from .validate import check_in_range


@dataclass(frozen=True)
class View:
    """What a panel shows: ``png`` bytes, an ``html`` read-out, and the ``values`` behind them."""

    png: bytes
    html: str
    values: dict[str, float] = field(default_factory=dict)


def figure_png(fig: Figure, dpi: int = 80) -> bytes:
    """Render a ``Figure`` to PNG bytes with the Agg renderer."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def readout_table(rows: list[tuple[str, str, float]]) -> str:
    """An HTML table of (label, formula, value) rows; each value carries data-name, for tests and screen readers."""
    cells = "".join(
        f"<tr><td style='padding:2px 8px'>{label}</td><td style='padding:2px 8px;color:#6b7280'>{html.escape(formula)}</td>"
        f"<td style='padding:2px 8px;text-align:right;font-family:monospace'>"
        f"<span class='lstm-value' data-name='{label}'>{value:+.4f}</span></td></tr>"
        for label, formula, value in rows)
    return f"<table class='lstm-readout'>{cells}</table>"


def gate_values_view(f_t: float, i_t: float, g_t: float, o_t: float, c_prev: float) -> View:
    """The cell from gate values: f_t, i_t, o_t in [0, 1], g_t in [-1, 1], c_prev in [-3, 3]."""
    f_t = check_in_range("f_t", f_t, 0.0, 1.0)
    i_t = check_in_range("i_t", i_t, 0.0, 1.0)
    o_t = check_in_range("o_t", o_t, 0.0, 1.0)
    g_t = check_in_range("g_t", g_t, -1.0, 1.0)
    c_prev = check_in_range("c_prev", c_prev, -3.0, 3.0)
    c_t, h_t = (float(v) for v in cell_from_gates(f_t, i_t, g_t, o_t, c_prev))
    fig = Figure(figsize=(7.5, 4.6), layout="tight")
    draw_cell(fig.add_subplot(), f_t, i_t, g_t, o_t, c_prev)
    values = {"f_t": f_t, "i_t": i_t, "g_t": g_t, "o_t": o_t, "c_prev": c_prev,
              "kept": f_t * c_prev, "written": i_t * g_t, "c_t": c_t, "h_t": h_t}
    rows = [
        ("kept", f"f_t·c_(t-1) = {f_t:.2f}·{c_prev:+.2f}", values["kept"]),
        ("written", f"i_t·g_t = {i_t:.2f}·({g_t:+.2f})", values["written"]),
        ("c_t", "kept + written", c_t),
        ("h_t", f"o_t·tanh(c_t) = {o_t:.2f}·{math.tanh(c_t):+.3f}", h_t),
    ]
    return View(figure_png(fig), readout_table(rows), values)


def gate_from_inputs_view(x_t: float, h_prev: float, w_x: float, w_h: float, b: float) -> View:
    """Where a gate value comes from: z = w_x x_t + w_h h_{t-1} + b, gate = sigmoid(z)."""
    x_t, h_prev, w_x, w_h, b = (check_in_range(n, v, -10.0, 10.0) for n, v in
                                (("x_t", x_t), ("h_prev", h_prev), ("w_x", w_x), ("w_h", w_h), ("b", b)))
    terms = {"w_x·x_t": w_x * x_t, "w_h·h_(t-1)": w_h * h_prev, "b": b}
    z = sum(terms.values())
    gate = float(sigmoid(z))
    fig = Figure(figsize=(8, 3.2), layout="constrained")
    ax_terms, ax_sig = fig.subplots(1, 2, width_ratios=[1, 1.6])
    ax_terms.barh(list(terms) + ["z"], list(terms.values()) + [z],
                  color=["#93c5fd", "#93c5fd", "#93c5fd", "#1d4ed8"])
    ax_terms.invert_yaxis()
    ax_terms.axvline(0, color="#6b7280", lw=0.8)
    ax_terms.set_title("pre-activation z, term by term")
    grid = np.linspace(-10, 10, 400)
    ax_sig.plot(grid, sigmoid(grid), color="#6b7280", lw=2)
    ax_sig.scatter([max(-10.0, min(10.0, z))], [gate], s=80, color="#f59e0b", zorder=3)
    ax_sig.axhline(0.5, color="#d1d5db", lw=0.8, ls="--")
    ax_sig.set_ylim(-0.05, 1.05)
    ax_sig.set_title(f"gate = sigmoid(z) = {gate:.3f}")
    ax_sig.set_xlabel("z")
    rows = [(name, "", v) for name, v in terms.items()] + [("z", "sum of the terms", z), ("gate", "sigmoid(z)", gate)]
    return View(figure_png(fig), readout_table(rows), {**terms, "z": z, "gate": gate})


def memory_view(f: float, i: float, steps: int = 30) -> View:
    """A one-unit cell given one input (g = 1 at t = 1) then nothing, gates held at f and i.

    Plots c_t over time with the half-life ln(0.5)/ln(f) marked.
    """
    c = run_scalar_cell(f, i, pulse(steps))
    tau = half_life(f)
    fig = Figure(figsize=(8, 3.2), layout="constrained")
    ax = fig.add_subplot()
    t = np.arange(steps + 1)
    ax.plot(t, c, marker="o", ms=3, label=r"$c_t$ (simulated)")
    if 0 < tau < math.inf and c[1] != 0:
        ax.plot(t[1:], c[1] * 0.5 ** ((t[1:] - 1) / tau), ls="--", color="#9ca3af",
                label=r"$c_1 \cdot 0.5^{(t-1)/\tau}$")
        for k in range(1, int((steps - 1) / tau) + 1):
            ax.axvline(1 + k * tau, color="#fde68a", lw=1)
    ax.set_ylim(-0.05, 1.05)
    ax.set_xlabel("step t")
    ax.set_title(f"f = {f:.3f}, i = {i:.2f}: half-life τ = {tau:.2f} steps" if tau < math.inf
                 else f"f = 1, i = {i:.2f}: never forgets")
    ax.legend(loc="upper right")
    rows = [("c_1", "i·g_1", float(c[1])), ("half-life", "ln(0.5)/ln(f)", tau),
            (f"c_{steps}", f"c_1·f^{steps - 1}", float(c[-1]))]
    return View(figure_png(fig), readout_table(rows), {"c_1": float(c[1]), "half_life": tau, "c_last": float(c[-1])})


class LivePanel(widgets.VBox):
    """Sliders, a picture and a read-out; any slider change re-runs ``view`` at once.

    ``controls`` maps the view's keyword arguments to widgets with a ``value``.
    After each change ``last`` holds the newest ``View`` (or ``error`` the
    message of the ``ValueError`` that the view raised).
    """

    def __init__(self, view: Callable[..., View], controls: dict[str, widgets.ValueWidget]):
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
