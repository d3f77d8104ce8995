"""The LSTM cell drawn with matplotlib, its gates opening with their values.

Each gate is a box filled to its value (empty = closed, full = open); the
candidate g_t fills up (positive) or down (negative) from the middle. The
cell-state "conveyor belt" along the top is drawn as thick as |c| and
coloured by its sign, so you see f_t thin it and i_t * g_t add to it.
The numbers drawn come from ``lstm.cell.cell_from_gates``: this module
draws the cell, it does not compute it. The axes' limits are fixed, so the
shapes are added with ``add_artist`` (``add_patch`` would also grow the data
limits, measuring every arrow's Bézier curve: a third of a panel's time).
"""

from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch, Rectangle

from ..lstm import cell
from ..lstm.activations import tanh
from ..validate import check_in_range, check_instance, check_real
from .views import MIN_FONT_PT
from .views import signed as signed_text

POS, NEG, GATE, LINE = "#2563eb", "#dc2626", "#f59e0b", "#374151"
BELT_Y, JOIN_Y, GATE_Y, BUS_Y = 5.0, 3.5, 1.6, 0.4
GATE_X = {"f": 2.6, "i": 4.2, "g": 5.6, "o": 7.6}
MUL_F, ADD, MUL_O, TANH_X = (2.6, BELT_Y), (4.9, BELT_Y), (7.6, JOIN_Y), 8.6


def _color(v: float) -> str:
    return POS if v >= 0 else NEG


def _width(v: float) -> float:
    return 1.0 + 5.0 * min(abs(v), 2.0)


def _arrow(ax: Axes, start, end, v: float = 1.0, alpha: float = 1.0, color: str | None = None) -> None:
    ax.add_artist(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=12, lw=_width(v) * 0.6,
                                 color=color or _color(v), alpha=max(alpha, 0.12), shrinkA=0, shrinkB=9))


def _node(ax: Axes, xy, text: str) -> None:
    ax.add_artist(Circle(xy, 0.32, fc="white", ec=LINE, lw=1.5, zorder=3))
    ax.text(*xy, text, ha="center", va="center", fontsize=13, zorder=4)


def _gate(ax: Axes, name: str, value: float, label: str, signed: bool = False) -> None:
    x, w, h = GATE_X[name], 0.9, 1.3
    y0 = GATE_Y - h / 2
    ax.add_artist(Rectangle((x - w / 2, y0), w, h, fc="#f3f4f6", ec=LINE, lw=1.5, zorder=2))
    if signed:  # candidate: fill from the middle, up for +, down for -
        ax.add_artist(Rectangle((x - w / 2, GATE_Y), w, value * h / 2, fc=_color(value), alpha=0.75, zorder=2))
        ax.plot([x - w / 2, x + w / 2], [GATE_Y, GATE_Y], color=LINE, lw=0.8, zorder=3)
    else:
        ax.add_artist(Rectangle((x - w / 2, y0), w, value * h, fc=GATE, alpha=0.85, zorder=2))
    ax.text(x, y0 + h + 0.12, label, ha="center", va="bottom", fontsize=11, zorder=4)
    ax.text(x, y0 - 0.1, signed_text(value, 2) if signed else f"{value:.2f}", ha="center", va="top", fontsize=MIN_FONT_PT)


def draw_cell(ax: Axes, i_t: float, f_t: float, g_t: float, o_t: float, c_prev: float) -> tuple[float, float]:
    """Draw one scalar cell step on ``ax`` (gates in torch's order i, f, g, o); returns the (c_t, h_t) it shows.

    i_t, f_t, o_t in [0, 1], g_t in [-1, 1], c_prev any finite number (scalars).
    c_t and h_t are what ``cell.cell_from_gates`` computes, not a copy of its equations.
    """
    check_instance("ax", ax, Axes, "a matplotlib Axes")
    gates = {"i_t": (i_t, 0.0, 1.0), "f_t": (f_t, 0.0, 1.0), "g_t": (g_t, -1.0, 1.0), "o_t": (o_t, 0.0, 1.0)}
    i_t, f_t, g_t, o_t = (check_in_range(name, v, lo, hi) for name, (v, lo, hi) in gates.items())
    c_prev = check_real("c_prev", c_prev)
    c_t, h_t = (float(v) for v in cell.cell_from_gates(i_t, f_t, g_t, o_t, c_prev))
    ax.set_xlim(-0.4, 10.6)
    ax.set_ylim(-0.5, 6.2)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.add_artist(FancyBboxPatch((1.6, -0.1), 7.6, 5.8, boxstyle="round,pad=0.1", fc="#fffbeb", ec="#d6d3d1", lw=1))

    # cell state belt: c_{t-1} -> x f_t -> + i_t g_t -> c_t
    kept = f_t * c_prev
    ax.text(0.0, BELT_Y + 0.35, r"$c_{t-1}$" + f"\n{signed_text(c_prev, 2)}", ha="left", va="bottom", fontsize=11)
    _arrow(ax, (0.0, BELT_Y), MUL_F, c_prev)
    _arrow(ax, MUL_F, ADD, kept)
    _arrow(ax, ADD, (10.3, BELT_Y), c_t)
    ax.text(10.3, BELT_Y + 0.35, r"$c_t$" + f"\n{signed_text(c_t, 2)}", ha="right", va="bottom", fontsize=11, weight="bold")
    _node(ax, MUL_F, "×")
    _node(ax, ADD, "+")

    # gates, fed from the [h_{t-1}, x_t] bus
    ax.plot([1.0, 8.1], [BUS_Y, BUS_Y], color=LINE, lw=2)
    ax.text(1.0, BUS_Y - 0.2, r"$[h_{t-1}, x_t]$", ha="left", va="top", fontsize=MIN_FONT_PT)
    for name in GATE_X:
        _arrow(ax, (GATE_X[name], BUS_Y), (GATE_X[name], GATE_Y - 0.65), color=LINE)
    _gate(ax, "i", i_t, "$i_t$\ninput")
    _gate(ax, "f", f_t, "$f_t$\nforget")
    _gate(ax, "g", g_t, "$g_t$\ncandidate", signed=True)
    _gate(ax, "o", o_t, "$o_t$\noutput")

    # forget gate multiplies the belt; input gate times candidate joins it
    _arrow(ax, (GATE_X["f"], GATE_Y + 0.65), MUL_F, alpha=f_t, color=GATE)
    join = (ADD[0], JOIN_Y)
    _node(ax, join, "×")
    _arrow(ax, (GATE_X["i"], GATE_Y + 0.65), join, alpha=i_t, color=GATE)
    _arrow(ax, (GATE_X["g"], GATE_Y + 0.65), join, g_t)
    _arrow(ax, join, ADD, i_t * g_t)
    ax.text(join[0] + 0.4, (JOIN_Y + BELT_Y) / 2, signed_text(i_t * g_t, 2), fontsize=MIN_FONT_PT, va="center")

    # output: tanh(c_t) times o_t becomes h_t
    tanh_node = (TANH_X, 4.25)
    ax.plot([TANH_X, TANH_X], [BELT_Y, tanh_node[1] + 0.3], color=_color(c_t), lw=1.5)
    ax.add_artist(FancyBboxPatch((TANH_X - 0.35, tanh_node[1] - 0.2), 0.7, 0.4, boxstyle="round,pad=0.05",
                                fc="white", ec=LINE, zorder=3))
    ax.text(*tanh_node, "tanh", ha="center", va="center", fontsize=MIN_FONT_PT, zorder=4)
    _arrow(ax, (TANH_X, tanh_node[1] - 0.25), MUL_O, float(tanh(c_t)))
    _arrow(ax, (GATE_X["o"], GATE_Y + 0.65), MUL_O, alpha=o_t, color=GATE)
    _node(ax, MUL_O, "×")
    _arrow(ax, MUL_O, (10.3, JOIN_Y), h_t)
    ax.text(10.3, JOIN_Y - 0.25, r"$h_t$" + f"\n{signed_text(h_t, 2)}", ha="right", va="top", fontsize=11, weight="bold")
    return c_t, h_t
