"""The big picture: an LSTM layer unrolled in time, one box per step.

The same cell (the same weights) runs at every step t = 1, ..., T. Step t
reads x_t from below and the state (h_{t-1}, c_{t-1}) from the left, and
passes (h_t, c_t) to the right; h_t is also its output, drawn going up.
With ``cell_state=False`` the picture is a plain RNN, which passes h only.
"""

from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from ..validate import check_bool, check_instance, check_int

MAX_DRAWN_STEPS = 8   # one box per step: more no longer fits a projector's width legibly
BOX, GAP = 1.6, 1.3   # box side and the space between boxes, in data units
C_Y, H_Y = 1.2, 0.4   # heights of the cell-state and hidden-state paths inside a box
CELL, PATH, INPUT = "#f3f4f6", "#374151", "#6b7280"
FONT = 14             # every label; legible from the back of a room


def _arrow(ax: Axes, start, end, lw: float, color: str = PATH) -> None:
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=16, lw=lw, color=color,
                                 shrinkA=0, shrinkB=0, zorder=1))


def draw_unrolled(ax: Axes, steps: int = 4, cell_state: bool = True) -> None:
    """Draw ``steps`` (1 to 8) copies of one cell side by side on ``ax``, t = 1, ..., steps.

    Each box gets x_t from below and sends h_t up (its output); between boxes
    run h_t (thin) and, if ``cell_state``, c_t (thick, the LSTM's extra path).
    h_0 (and c_0) enter on the left, the final state leaves on the right.
    """
    check_instance("ax", ax, Axes, "a matplotlib Axes")
    steps = check_int("steps", steps, 1, MAX_DRAWN_STEPS)
    cell_state = check_bool("cell_state", cell_state)
    paths = [("h", H_Y, 2.0)] + ([("c", C_Y, 4.0)] if cell_state else [])
    for k in range(steps + 1):          # the state entering step k + 1 (k = 0: the initial state)
        x_end = k * (BOX + GAP)         # left edge of box k + 1 (or the end of the last arrow)
        for name, y, lw in paths:
            _arrow(ax, (x_end - GAP, y), (x_end, y), lw)
            ax.text(x_end - GAP / 2, y + 0.1, f"${name}_{{{k}}}$", ha="center", va="bottom", fontsize=FONT)
    for t in range(1, steps + 1):
        x0 = (t - 1) * (BOX + GAP)
        ax.add_patch(FancyBboxPatch((x0, 0), BOX, BOX, boxstyle="round,pad=0.02", fc=CELL, ec=PATH, lw=1.5,
                                    zorder=2))
        ax.text(x0 + BOX / 2, BOX / 2, f"{'LSTM' if cell_state else 'RNN'}\ncell\nt = {t}", ha="center",
                va="center", fontsize=FONT - 2, zorder=3)
        _arrow(ax, (x0 + BOX / 2, -0.8), (x0 + BOX / 2, 0), 2.0, INPUT)
        ax.text(x0 + BOX / 2, -0.9, f"$x_{{{t}}}$", ha="center", va="top", fontsize=FONT)
        _arrow(ax, (x0 + BOX / 2, BOX), (x0 + BOX / 2, BOX + 0.8), 2.0, INPUT)
        ax.text(x0 + BOX / 2, BOX + 0.9, f"$h_{{{t}}}$", ha="center", va="bottom", fontsize=FONT)
    ax.set_xlim(-GAP - 0.2, steps * (BOX + GAP) + 0.2)
    ax.set_ylim(-1.6, BOX + 1.6)
    ax.set_aspect("equal")
    ax.set_axis_off()
