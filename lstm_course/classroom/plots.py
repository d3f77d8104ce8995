"""Static pictures for the notebooks: activation curves, per-unit bars, traces over time.

Every function draws on an ``Axes`` it is given, so the notebook decides the
layout and the same code serves pyplot figures and the widget panels. Each
notebook's setup cell calls ``use_course_style()``, so that its pyplot figures
have the panels' text size and resolution.
"""

from __future__ import annotations

from typing import Sequence

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, Rectangle

from ..lstm.activations import sigmoid, tanh
from ..topics.gradient_flow import Flow
from ..topics.sine import TRAIN_SIZE, Evaluation
from ..validate import as_array, check_bool, check_choice, check_instance, check_int, check_size
from .views import COURSE_RC, MIN_FONT_PT, course_style, figure_png

SQUASH = {"sigmoid": sigmoid, "tanh": tanh}
MAX_UNITS, MAX_UNITS_WHY = 64, "units: one labelled marker or bar group each, and more is unreadable"
MAX_STEPS = 1000


def use_course_style() -> None:
    """Give every pyplot figure from now on the course's text size and resolution (``views.COURSE_RC``).

    11 pt text at 100 dpi: shown at its own size, no text is under 11 pt on
    the screen at 100 % zoom, legible on a projector.
    """
    matplotlib.rcParams.update(COURSE_RC)


def _named_series(name: str, series) -> dict:
    """``series`` must be a non-empty dict of label -> values."""
    check_instance(name, series, dict, "a dict of label -> values")
    if not series:
        raise ValueError(f"{name} must hold at least one labelled series")
    return series


UNIT_MARKERS = "osD^v<>ph*"   # plot_squash tells units apart by marker shape, so colour keeps one meaning


def _signed(v: float) -> str:
    """``v`` to two decimals with its sign, never '-0.00'."""
    return f"{round(float(v), 2) + 0.0:+.2f}"


def plot_squash(ax: Axes, z: np.ndarray, kind: str = "sigmoid", name: str = "") -> None:
    """The curve of ``kind`` ('sigmoid' or 'tanh') with each unit's pre-activation ``z`` (H,) marked on it.

    Units are told apart by marker shape and named in a legend (unit, z -> value), so
    labels never overlap however close the points are; colour is left to mean one thing per figure.
    """
    check_instance("ax", ax, Axes, "a matplotlib Axes")
    check_choice("kind", kind, tuple(SQUASH))
    z = np.atleast_1d(as_array("z", z, ndim=(0, 1)))
    check_size("z", z.size, MAX_UNITS, MAX_UNITS_WHY)
    check_instance("name", name, str)
    fn = SQUASH[kind]
    span = max(6.0, float(np.abs(z).max()) + 1.0)
    grid = np.linspace(-span, span, 400)
    ax.axhline(0, color="#d1d5db", lw=0.8)
    ax.axvline(0, color="#d1d5db", lw=0.8)
    ax.plot(grid, fn(grid), color="#6b7280", lw=2)
    for k, (zk, vk) in enumerate(zip(z, fn(z))):
        ax.plot([zk], [vk], ls="none", marker=UNIT_MARKERS[k % len(UNIT_MARKERS)], ms=9, color="#111827",
                mfc="white" if k >= len(UNIT_MARKERS) else "#111827", zorder=3,
                label=f"unit {k}: z = {_signed(zk)} → {_signed(vk)}")
    # lower right: below both curves wherever z > 0.5, so the legend covers neither the curve nor a point
    ax.legend(fontsize=MIN_FONT_PT, loc="lower right", ncol=1 if len(z) <= 6 else 2, framealpha=0.9)
    ax.set_xlabel("pre-activation z", fontsize=11)
    ax.set_ylabel(f"{kind}(z)", fontsize=11)
    ax.set_ylim(-1.1 if kind == "tanh" else -0.05, 1.1 if kind == "tanh" else 1.05)
    ax.set_title(name or kind, fontsize=12)


def plot_unit_bars(ax: Axes, series: dict[str, np.ndarray], title: str = "", ylim: tuple[float, float] | None = None) -> None:
    """Grouped bars: one group per unit, one bar per named vector in ``series`` (each (H,))."""
    check_instance("ax", ax, Axes, "a matplotlib Axes")
    names = list(_named_series("series", series))
    values = [np.atleast_1d(as_array(f"series[{n!r}]", series[n], ndim=(0, 1))) for n in names]
    H = len(values[0])
    check_size("series", H, MAX_UNITS, MAX_UNITS_WHY)
    check_instance("title", title, str)
    if ylim is not None:
        ylim = tuple(as_array("ylim", ylim, ndim=1))
        if len(ylim) != 2 or not ylim[0] < ylim[1]:
            raise ValueError(f"ylim must be (low, high) with low < high, got {ylim}")
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
    ax.legend(fontsize=MIN_FONT_PT, loc="best")
    ax.set_title(title)


def plot_over_time(ax: Axes, traces: dict[str, np.ndarray], labels: Sequence[str] | None = None, title: str = "") -> None:
    """Lines over steps t = 1..T for each named trace (T,); ``labels`` names the steps (e.g. words)."""
    check_instance("ax", ax, Axes, "a matplotlib Axes")
    arrays = {name: as_array(f"traces[{name!r}]", traces[name], ndim=1) for name in _named_series("traces", traces)}
    for name, v in arrays.items():
        check_size(f"traces[{name!r}]", len(v), MAX_STEPS, "steps: one marker each, and more is unreadable")
        ax.plot(np.arange(1, len(v) + 1), v, marker="o", ms=4, label=name)
    if labels is not None:
        T = max(len(v) for v in arrays.values())
        if isinstance(labels, str) or not all(isinstance(w, str) for w in labels) or len(labels) != T:
            raise ValueError(f"labels must be {T} strings, one per step, got {labels!r}"[:300])
        ax.set_xticks(np.arange(1, len(labels) + 1), labels, rotation=45, ha="right")
    ax.axhline(0, color="#d1d5db", lw=0.8)
    ax.set_xlabel("" if labels is not None else "step t")
    ax.legend(fontsize=MIN_FONT_PT, loc="center left", bbox_to_anchor=(1.0, 0.5))
    ax.set_title(title)


# ---------------------------------------------------------------- notebook 04

COLORS = {"rnn": "#dc2626", "gru": "#7c3aed", "lstm": "#2563eb"}


def plot_flows(ax: Axes, flows: dict[str, Flow]) -> None:
    """Each named flow's ratio ||dL/dh_{T-k}|| / ||dL/dh_T|| against k, on a log scale."""
    check_instance("ax", ax, Axes, "a matplotlib Axes")
    check_instance("flows", flows, dict, "a dict of label -> Flow")
    if not flows:
        raise ValueError("flows must name at least one Flow to draw")
    for label, flow in flows.items():
        check_instance(f"flows[{label!r}]", flow, Flow, "a Flow of gradient_flow")
    for label, flow in flows.items():
        ax.semilogy(np.arange(len(flow.norms)), flow.ratio, label=label, color=COLORS.get(flow.kind), lw=2)
    ax.set_xlabel("distance k from the last step")
    ax.set_ylabel(r"$\|\partial L/\partial h_{T-k}\| \,/\, \|\partial L/\partial h_T\|$")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=MIN_FONT_PT)


# ---------------------------------------------------------------- notebook 05

MAX_DRAWN_LAYERS = 16   # draw_layers has room for this many rows of cells; more would be unreadable


def draw_layers(ax: Axes, seq_len: int, num_layers: int, bidirectional: bool, max_steps: int = 6) -> None:
    """A grid of cells, layer by layer (bottom to top) and step by step, with the direction(s) each layer runs.

    Each layer feeds the one above at every step; output is the top row. Past ``max_steps`` steps
    the middle ones are left out (marked "…").
    """
    check_instance("ax", ax, Axes, "a matplotlib Axes")
    seq_len, num_layers = check_int("seq_len", seq_len, 1, 1_000_000), check_int("num_layers", num_layers, 1, MAX_DRAWN_LAYERS)
    bidirectional, max_steps = check_bool("bidirectional", bidirectional), check_int("max_steps", max_steps, 2, 20)
    steps = min(seq_len, max_steps)
    labels = [f"$x_{{{t + 1}}}$" for t in range(steps)]
    if steps < seq_len:
        labels[-1] = f"$x_{{{seq_len}}}$"
        ax.text((steps - 1.5) * 1.3 + 0.45, -0.45, "…", ha="center", fontsize=12)
    arrow = dict(arrowstyle="-|>", mutation_scale=9)
    for layer in range(num_layers):
        y = layer * 1.4
        for t in range(steps):
            ax.add_artist(Rectangle((t * 1.3, y), 0.9, 0.8, fc="#f3f4f6", ec="#6b7280"))
            ax.add_artist(FancyArrowPatch((t * 1.3 + 0.45, y - 0.55 if layer else y - 0.3), (t * 1.3 + 0.45, y),
                                         color="#6b7280", **arrow))
            if t < steps - 1:
                ax.add_artist(FancyArrowPatch((t * 1.3 + 0.9, y + 0.55), (t * 1.3 + 1.3, y + 0.55),
                                             color="#1d4ed8", **arrow))
                if bidirectional:
                    ax.add_artist(FancyArrowPatch((t * 1.3 + 1.3, y + 0.25), (t * 1.3 + 0.9, y + 0.25),
                                                 color="#c2410c", **arrow))
        ax.text(-0.3, y + 0.4, f"layer {layer}", ha="right", va="center", fontsize=MIN_FONT_PT)
    for t, label in enumerate(labels):
        ax.text(t * 1.3 + 0.45, -0.75, label, ha="center", fontsize=MIN_FONT_PT)
    ax.text(steps * 1.3 / 2, num_layers * 1.4 - 0.35, "output: the top layer at every step", ha="center",
            fontsize=MIN_FONT_PT)
    ax.set_xlim(-1.8, steps * 1.3 + 0.2)
    ax.set_ylim(-1.0, num_layers * 1.4 + 0.1)
    ax.set_axis_off()
    ax.set_title("forward (blue) and backward (orange)" if bidirectional else "one direction", fontsize=MIN_FONT_PT)


# ---------------------------------------------------------------- notebook 06

def draw_reading(ax: Axes, labels: list[str], glosses: list[str] | None = None) -> None:
    """Per position (columns) and direction (rows): the tokens read so far filled in, the rest left empty.

    ``labels``: 1 to 12 tokens. A token made only of characters the course
    ships a font for (``classroom.fonts.CJK_CHARACTERS``, 我爱中国) is drawn
    with that font, large; any other token with matplotlib's default font.
    ``glosses`` (optional, one string per token, e.g. the pinyin) is printed
    under each position's column. Every text is at least 12 pt.
    """
    from .fonts import CJK_CHARACTERS, cjk_font      # the shipped subset font, read from its file

    check_instance("ax", ax, Axes, "a matplotlib Axes")
    check_instance("labels", labels, (list, tuple), "a list of token labels")
    if not 1 <= len(labels) <= 12 or not all(isinstance(label, str) for label in labels):
        raise ValueError(f"labels must be 1 to 12 strings (the picture has T * T boxes), got {labels!r}")
    T = len(labels)
    if glosses is not None:
        check_instance("glosses", glosses, (list, tuple), "a list of strings, one per label")
        if len(glosses) != T or not all(isinstance(gloss, str) for gloss in glosses):
            raise ValueError(f"glosses must be {T} strings, one per label, got {glosses!r}")
    fonts = [dict(fontproperties=cjk_font(22)) if label and set(label) <= set(CJK_CHARACTERS) else dict(fontsize=12)
             for label in labels]
    for row, (name, color) in enumerate((("forward", "#1d4ed8"), ("backward", "#c2410c"))):
        for t in range(T):
            seen = range(t + 1) if row == 0 else range(t, T)      # as ``reading`` lists them
            x0, y0 = t * (T + 1.5), (1 - row) * 2.2
            for k, label in enumerate(labels):
                ax.add_patch(Rectangle((x0 + k, y0), 0.92, 1.1, fc=color if k in seen else "white",
                                       ec=color, alpha=0.85))
                ax.text(x0 + k + 0.46, y0 + 0.55, label, ha="center", va="center",
                        color="white" if k in seen else "#9ca3af", **fonts[k])
            if row == 1:
                under = f"output at t = {t + 1}" + (f"\n{glosses[t]}" if glosses is not None else "")
                ax.text(x0 + T / 2, -0.3, under, ha="center", va="top", fontsize=12)
        ax.text(-0.4, (1 - row) * 2.2 + 0.55, name, ha="right", va="center", fontsize=13, color=color)
    ax.set_xlim(-3.4, T * (T + 1.5))
    ax.set_ylim(-1.6 if glosses is not None else -1.0, 3.6)
    ax.set_axis_off()


# ---------------------------------------------------------------- notebook 07

def _losses(train_losses, val_losses) -> tuple[np.ndarray, np.ndarray]:
    """Check the loss lists of ``plot_losses`` and ``loss_curve_png``."""
    train, val = as_array("train_losses", train_losses, ndim=1), as_array("val_losses", val_losses, ndim=1)
    if len(val) > len(train):
        raise ValueError(f"val_losses has {len(val)} values, more than the {len(train)} epochs of train_losses")
    if np.any(train <= 0) or np.any(val <= 0):
        raise ValueError("losses must be positive (they are drawn on a log scale)")
    return train, val


def plot_losses(ax: Axes, train_losses: list[float], val_losses: list[float]) -> None:
    """Per-epoch training (and validation, if any) loss on a log scale, best validation epoch marked.

    train_losses (epochs,), val_losses (at most epochs,), both positive finite numbers.
    """
    check_instance("ax", ax, Axes, "a matplotlib Axes")
    train_losses, val_losses = _losses(train_losses, val_losses)
    epochs = np.arange(1, len(train_losses) + 1)
    ax.plot(epochs, train_losses, marker="o", ms=3, label="training")
    if len(val_losses):
        ax.plot(epochs[:len(val_losses)], val_losses, marker="o", ms=3, label="validation")
        ax.axvline(1 + int(np.argmin(val_losses)), color="#d1d5db", ls="--", label="best validation")
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("MSE")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.25), ncols=3, fontsize=MIN_FONT_PT)   # below, off the curves


def loss_curve_png(train_losses: list[float], val_losses: list[float]) -> bytes:
    """The loss curve as PNG bytes, drawn on its own Figure (safe in callbacks)."""
    train_losses, val_losses = _losses(train_losses, val_losses)
    with course_style():                       # 11 pt at 100 dpi, whatever pyplot's settings: legible on a projector
        fig = Figure(figsize=(6, 2.6), layout="constrained")
        plot_losses(fig.add_subplot(), train_losses, val_losses)
        return figure_png(fig)


def plot_forecasts(ax: Axes, noisy: np.ndarray, clean: np.ndarray, ev: Evaluation,
                   train_size: int = TRAIN_SIZE, context: int = 100) -> None:
    """The test part: noisy points, the clean sine, one-step and free-running forecasts, each at its target's step.

    noisy (T,), clean (T,); ``ev`` from ``sine.evaluate`` with the same ``train_size``.
    """
    check_instance("ax", ax, Axes, "a matplotlib Axes")
    check_instance("ev", ev, Evaluation, "a sine.Evaluation")
    noisy, clean = as_array("noisy", noisy, ndim=1), as_array("clean", clean, ndim=1)
    train_size = check_int("train_size", train_size, 1, len(noisy) - 1)
    context = check_int("context", context, 0, 100_000)
    n_test = len(noisy) - train_size
    if clean.shape != noisy.shape or ev.pred_next.shape != (n_test,) or ev.free.shape != (n_test,):
        raise ValueError(f"noisy {noisy.shape}, clean {clean.shape} and ev's forecasts {ev.pred_next.shape} must "
                         f"cover the same series: the forecasts must have {len(noisy) - train_size} values "
                         f"(T - train_size)")
    t = np.arange(len(noisy))
    lo = max(0, train_size - context)
    ax.plot(t[lo:], noisy[lo:], ".", ms=3, color="#9ca3af", label="noisy data")
    ax.plot(t[lo:], clean[lo:], color="black", lw=1, label="clean sine")
    ax.plot(t[train_size:], ev.pred_next, color="C0", lw=1.2, label="one-step forecast")
    ax.plot(t[train_size:], ev.free, color="C3", lw=1.2, ls="--", label="free-run forecast")
    ax.axvline(train_size, color="#d1d5db")
    ax.set_xlabel("time step")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=MIN_FONT_PT)   # beside the axes, never on the data


def plot_forecast_errors(ax: Axes, clean: np.ndarray, ev: Evaluation, train_size: int = TRAIN_SIZE) -> None:
    """The residuals over the test part: one-step and free-running forecasts minus the clean series.

    clean (T,); ``ev`` from ``sine.evaluate`` or ``sine.judge`` with the same ``train_size``. The free
    run's error, invisible at the forecast plot's scale, is what this panel is for.
    """
    check_instance("ax", ax, Axes, "a matplotlib Axes")
    check_instance("ev", ev, Evaluation, "a sine.Evaluation")
    clean = as_array("clean", clean, ndim=1)
    train_size = check_int("train_size", train_size, 1, len(clean) - 1)
    n_test = len(clean) - train_size
    if ev.pred_next.shape != (n_test,) or ev.free.shape != (n_test,):
        raise ValueError(f"ev's forecasts {ev.pred_next.shape} must have {n_test} values (T - train_size) "
                         f"to match clean {clean.shape}")
    t = np.arange(train_size, len(clean))
    ax.axhline(0.0, color="black", lw=0.8)
    ax.plot(t, ev.pred_next - clean[train_size:], color="C0", lw=1.0, label="one-step − clean")
    ax.plot(t, ev.free - clean[train_size:], color="C3", lw=1.4, ls="--", label="free run − clean")
    ax.set_xlabel("time step")
    ax.set_ylabel("error")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=MIN_FONT_PT)


def plot_error_vs_cost(ax_params: Axes, ax_time: Axes, summary: dict, key: str = "mse_next_clean",
                       label: str = "one-step MSE vs clean") -> None:
    """Each approach's mean ``key`` (with its spread over seeds as a bar) against its parameters and its fit time.

    ``summary`` from ``sine.summarize``; both axes logarithmic, so approaches that cost
    nothing (persistence) are drawn at the left edge; the legend sits beside the time axes.
    """
    for name, ax in (("ax_params", ax_params), ("ax_time", ax_time)):
        check_instance(name, ax, Axes, "a matplotlib Axes")
    check_instance("summary", summary, dict, "sine.summarize's output")
    if not summary:
        raise ValueError("summary must hold at least one approach")
    markers = "osD^v<>ph*"
    for k, (approach, s) in enumerate(summary.items()):
        if key not in s or "parameters" not in s or "seconds" not in s:
            raise ValueError(f"summary[{approach!r}] must hold {key!r}, 'parameters' and 'seconds', got {sorted(s)}")
        mean, std = s[key][0], s[key][1]
        for ax, x in ((ax_params, max(s["parameters"][0], 1.0)), (ax_time, max(s["seconds"][0], 1e-5))):
            ax.errorbar([x], [mean], yerr=[[min(std, 0.9 * mean)], [std]], marker=markers[k % len(markers)],
                        ms=7, capsize=3, color=f"C{k}", label=approach)
    for ax, xlabel in ((ax_params, "parameters (persistence drawn at 1)"), (ax_time, "fit time, s (log)")):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel(xlabel)
        ax.set_ylabel(label)
        ax.grid(True, which="major", color="#e5e7eb")
    ax_time.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=MIN_FONT_PT)   # beside, off the points
