"""Static pictures for the notebooks: activation curves, per-unit bars, traces over time.

Every function draws on an ``Axes`` it is given, so the notebook decides the
layout and the same code serves pyplot figures and the widget panels.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from matplotlib.axes import Axes

from .activations import sigmoid, tanh

SQUASH = {"sigmoid": sigmoid, "tanh": tanh}


def plot_squash(ax: Axes, z: np.ndarray, kind: str = "sigmoid", name: str = "") -> None:
    """The curve of ``kind`` ('sigmoid' or 'tanh') with each unit's pre-activation ``z`` (H,) marked on it."""
    if kind not in SQUASH:
        raise ValueError(f"kind must be one of {sorted(SQUASH)}, got {kind!r}")
    z = np.atleast_1d(np.asarray(z, dtype=float))
    fn = SQUASH[kind]
    span = max(6.0, float(np.abs(z).max()) + 1.0)
    grid = np.linspace(-span, span, 400)
    ax.plot(grid, fn(grid), color="#6b7280", lw=2)
    ax.scatter(z, fn(z), s=60, zorder=3, c=[f"C{k}" for k in range(len(z))])
    for k, (zk, vk) in enumerate(zip(z, fn(z))):
        ax.annotate(f"unit {k}", (zk, vk), textcoords="offset points", xytext=(6, -12), fontsize=8)
    ax.axhline(0, color="#d1d5db", lw=0.8)
    ax.axvline(0, color="#d1d5db", lw=0.8)
    ax.set_xlabel("pre-activation z")
    ax.set_ylabel(f"{kind}(z)")
    ax.set_title(name or kind)


def plot_unit_bars(ax: Axes, series: dict[str, np.ndarray], title: str = "", ylim: tuple[float, float] | None = None) -> None:
    """Grouped bars: one group per unit, one bar per named vector in ``series`` (each (H,))."""
    names = list(series)
    values = [np.atleast_1d(np.asarray(series[n], dtype=float)) for n in names]
    H = len(values[0])
    if any(len(v) != H for v in values):
        raise ValueError(f"every series must have {H} units, got lengths {[len(v) for v in values]}")
    width = 0.8 / len(names)
    units = np.arange(H)
    for k, (n, v) in enumerate(zip(names, values)):
        ax.bar(units + (k - (len(names) - 1) / 2) * width, v, width, label=n)
    ax.axhline(0, color="#6b7280", lw=0.8)
    ax.set_xticks(units, [f"unit {k}" for k in units])
    if ylim:
        ax.set_ylim(*ylim)
    ax.legend(fontsize=8, loc="best")
    ax.set_title(title)


def plot_over_time(ax: Axes, traces: dict[str, np.ndarray], labels: Sequence[str] | None = None, title: str = "") -> None:
    """Lines over steps t = 1..T for each named trace (T,); ``labels`` names the steps (e.g. words)."""
    for name, v in traces.items():
        v = np.asarray(v, dtype=float)
        ax.plot(np.arange(1, len(v) + 1), v, marker="o", ms=4, label=name)
    if labels is not None:
        ax.set_xticks(np.arange(1, len(labels) + 1), labels, rotation=45, ha="right")
    ax.axhline(0, color="#d1d5db", lw=0.8)
    ax.set_xlabel("" if labels is not None else "step t")
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.0, 0.5))
    ax.set_title(title)
