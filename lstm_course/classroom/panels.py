"""The sliders' callbacks: plain functions from slider values to a ``View``.

A view function takes the slider values as keyword arguments and returns a
``View``: a PNG picture, an HTML read-out and the numbers behind both. It
draws on its own ``matplotlib.figure.Figure`` (never pyplot's global state),
so it is safe to call from a widget callback on any thread. ``LivePanel``
wires sliders to a view function; the notebooks only create the sliders.
"""

from __future__ import annotations

import functools
import html
import math
import weakref

import ipywidgets as widgets
import numpy as np
import torch

from ..lstm.activations import sigmoid
from ..topics.char_lstm import FEATURES, SIGNALS, UnitActivity, unit_table
from ..topics.gradient_flow import Flow, gradient_flow
from ..topics.lstm_api import SHAPE_NAMES, run_shapes, shape_rule
from ..topics.memory import half_life, pulse, run_scalar_cell
from ..topics.sine import (
    N_POINTS,
    NOISE,
    QUICK_CONFIG,
    SEED,
    TRAIN_SIZE,
    CourseConfig,
    EpochCallback,
    article_data,
    evaluate,
    persistence_mse,
    train_course,
)
from ..topics.variants import VariantLSTM, VariantModel
from ..torchkit import pick_device
from ..validate import check_callable, check_choice, check_in_range, check_instance, check_int
from .diagram import GATE, LINE, NEG, POS, draw_cell
from .plots import MAX_DRAWN_LAYERS, draw_layers, plot_flows, plot_forecast_errors, plot_forecasts
from .views import MIN_FONT_PT, LivePanel, View, figure_png, panel_figure, readout_table, signed


def gate_values_view(i_t: float, f_t: float, g_t: float, o_t: float, c_prev: float) -> View:
    """The cell from gate values (torch's order): i_t, f_t, o_t in [0, 1], g_t in [-1, 1], c_prev in [-3, 3].

    c_t and h_t are the ones ``draw_cell`` drew, computed by ``cell_from_gates``.
    """
    c_prev = check_in_range("c_prev", c_prev, -3.0, 3.0)   # the panel's own range; draw_cell checks the gates
    with panel_figure("gate_values_view", (7.5, 4.6)) as fig:
        c_t, h_t = draw_cell(fig.add_axes((0.0, 0.0, 1.0, 1.0)), i_t, f_t, g_t, o_t, c_prev)
        png = figure_png(fig)
    i_t, f_t, g_t, o_t = map(float, (i_t, f_t, g_t, o_t))
    values = {"i_t": i_t, "f_t": f_t, "g_t": g_t, "o_t": o_t, "c_prev": c_prev,
              "kept": f_t * c_prev, "written": i_t * g_t, "c_t": c_t, "h_t": h_t}
    rows = [
        ("kept", f"f_t·c_(t-1) = {f_t:.2f}·{signed(c_prev, 2)}", values["kept"]),
        ("written", f"i_t·g_t = {i_t:.2f}·({signed(g_t, 2)})", values["written"]),
        ("c_t", "kept + written", c_t),
        ("h_t", f"o_t·tanh(c_t) = {o_t:.2f}·{signed(math.tanh(c_t), 3)}", h_t),
    ]
    return View(png, readout_table(rows), values)


_Z_GRID = np.linspace(-10, 10, 400)


def gate_from_inputs_view(x_t: float, h_prev: float, w_x: float, w_h: float, b: float) -> View:
    """Where a gate value comes from: z = w_x x_t + w_h h_{t-1} + b, gate = sigmoid(z)."""
    x_t, h_prev, w_x, w_h, b = (check_in_range(n, v, -10.0, 10.0) for n, v in
                                (("x_t", x_t), ("h_prev", h_prev), ("w_x", w_x), ("w_h", w_h), ("b", b)))
    terms = {"w_x·x_t": w_x * x_t, "w_h·h_(t-1)": w_h * h_prev, "b": b}
    z = sum(terms.values())
    gate = float(sigmoid(z))
    bars = list(terms.values()) + [z]
    with panel_figure("gate_from_inputs_view", (7.5, 3.2), margins=(1.25, 0.55, 0.15, 0.35), keep=True) as fig:
        if not fig.axes:
            _gate_from_inputs_axes(fig, list(terms) + ["z"])
        ax_terms, ax_sig = fig.axes
        # the cell diagram's colours: blue a positive value, red a negative one, amber a gate
        for bar, v in zip(ax_terms.patches, bars):
            bar.set_width(v)
            bar.set_facecolor(POS if v >= 0 else NEG)
        span = 1.1 * max(1.0, *(abs(v) for v in bars))
        ax_terms.set_xlim(-span, span)                     # zero in the middle: the signs read at a glance
        ax_sig.collections[0].set_offsets([[max(-10.0, min(10.0, z)), gate]])
        ax_sig.set_title(f"gate = sigmoid(z) = {gate:.3f}")
        png = figure_png(fig)
    rows = [(name, "", v) for name, v in terms.items()] + [("z", "sum of the terms", z), ("gate", "sigmoid(z)", gate)]
    return View(png, readout_table(rows), {**terms, "z": z, "gate": gate})


def _gate_from_inputs_axes(fig, labels: list[str]) -> None:
    """``gate_from_inputs_view``'s two axes, built once: the bars of z's terms and the sigmoid curve with its dot."""
    ax_terms, ax_sig = fig.subplots(1, 2, width_ratios=[1, 1.6], gridspec_kw={"wspace": 0.3})
    ax_terms.barh(labels, [0.0] * len(labels), alpha=0.55, edgecolor=[LINE] * (len(labels) - 1) + ["black"],
                  linewidth=[0.5] * (len(labels) - 1) + [2.0])
    ax_terms.invert_yaxis()
    ax_terms.axvline(0, color="#6b7280", lw=0.8)
    ax_terms.set_title("pre-activation z, term by term")
    ax_sig.plot(_Z_GRID, sigmoid(_Z_GRID), color="#6b7280", lw=2)
    ax_sig.scatter([0.0], [0.5], s=80, color=GATE, zorder=3)
    ax_sig.axhline(0.5, color="#d1d5db", lw=0.8, ls="--")
    ax_sig.set_xlim(-10.5, 10.5)
    ax_sig.set_ylim(-0.05, 1.05)
    ax_sig.set_xlabel("z")


MEMORY_VIEW_STEPS = 1000   # one marker per step: a longer picture draws slowly and shows only a flat line
HALF_LIFE_LINES = 5        # the first few half-lives make the point; more lines are clutter (and slow)


def memory_view(i: float, f: float, steps: int = 30) -> View:
    """A one-unit cell given one input (g = 1 at t = 1) then nothing, gates held at f and i.

    f and i in [0, 1]; 2 <= steps <= 1000. Plots c_t over time, with the
    first few half-lives ln(0.5)/ln(f) marked.
    """
    f = check_in_range("f", f, 0.0, 1.0)
    i = check_in_range("i", i, 0.0, 1.0)
    steps = check_int("steps", steps, 2)
    if steps > MEMORY_VIEW_STEPS:
        raise ValueError(f"steps must be at most {MEMORY_VIEW_STEPS}, got {steps}: the picture has one point per "
                         f"step, and a longer one takes seconds to draw and shows only a flat line")
    c = run_scalar_cell(i, f, pulse(steps))
    tau = half_life(f)
    t = np.arange(steps + 1)
    with panel_figure("memory_view", (7.5, 3.2), margins=(0.6, 0.55, 0.15, 0.35)) as fig:
        ax = fig.add_subplot()
        ax.plot(t, c, marker="o", ms=3, color=POS, label=r"$c_t$ (simulated)")   # c_t >= 0: the diagram's blue
        if 0 < tau < math.inf and c[1] != 0:
            ax.plot(t[1:], c[1] * 0.5 ** ((t[1:] - 1) / tau), ls="--", color="#9ca3af",
                    label=r"$c_1 \cdot 0.5^{(t-1)/\tau}$")
            for k in range(1, min(int((steps - 1) / tau), HALF_LIFE_LINES) + 1):
                ax.axvline(1 + k * tau, color="#9ca3af", lw=1, ls=":")
        ax.set_xlim(-0.02 * steps, 1.02 * steps)
        ax.set_ylim(-0.05, 1.05)
        ax.set_xlabel("step t")
        ax.set_title(f"f = {f:.3f}, i = {i:.2f}: half-life τ = {tau:.2f} steps" if tau < math.inf
                     else f"f = 1, i = {i:.2f}: never forgets")
        ax.legend(loc="upper right", fontsize=MIN_FONT_PT)
        png = figure_png(fig)
    rows = [("c_1", "i·g_1", float(c[1])), ("half-life", "ln(0.5)/ln(f)", tau),
            (f"c_{steps}", f"c_1·f^{steps - 1}", float(c[-1]))]
    return View(png, readout_table(rows), {"c_1": float(c[1]), "half_life": tau, "c_last": float(c[-1])})


# ---------------------------------------------------------------- notebook 04

@functools.lru_cache(maxsize=512)
def _flow(kind: str, T: int, hidden: int, forget_bias: float | None) -> Flow:
    """``gradient_flow`` remembered: its weights and inputs are seeded, so the same arguments measure the same curve.

    Moving the forget-bias slider leaves the RNN and GRU curves as they were,
    and a slider moved back finds its curves here. The cached arrays are
    made read-only (the view only reads them).
    """
    flow = gradient_flow(kind, T, hidden, forget_bias)
    flow.norms.flags.writeable = False
    return flow


def gradient_flow_view(T: int, forget_bias: float, hidden: int = 32) -> View:
    """The panel's view: RNN, GRU and LSTM (forget-gate bias ``forget_bias``) gradient curves over T steps.

    ``values`` holds each curve's ratio at the farthest distance k = T - 1,
    and the LSTM's initial forget gate sigmoid(forget_bias). The read-out
    shows log10 of each ratio; a ratio that float64 cannot hold (a gradient
    below about 1e-308 is 0) reads -inf and says so, never a clamped number.
    """
    T = check_int("T", T, 2, 400)
    forget_bias = check_in_range("forget_bias", forget_bias, -10.0, 10.0)
    hidden = check_int("hidden", hidden, 1, 256)   # the panel recomputes three models on every slider move: small ones
    flows = {"tanh RNN": _flow("rnn", T, hidden, None), "GRU": _flow("gru", T, hidden, None),
             f"LSTM, forget bias {forget_bias:g}": _flow("lstm", T, hidden, forget_bias)}
    with panel_figure("gradient_flow_view", (7.5, 3.6), margins=(1.0, 0.55, 0.15, 0.35)) as fig:
        ax = fig.add_subplot()
        plot_flows(ax, flows)
        ax.set_title(f"gradient reaching back over T = {T} steps (at initialisation)")
        png = figure_png(fig)
    rnn, gru, lstm = (float(f.ratio[-1]) for f in flows.values())
    f0 = float(sigmoid(forget_bias))
    values = {"T": float(T), "forget_bias": forget_bias, "forget_gate": f0,
              "rnn_ratio": rnn, "gru_ratio": gru, "lstm_ratio": lstm}
    rows = [("f", "sigmoid(forget bias)", f0)] + [
        (name, f"ratio at k = {T - 1}, log10", math.log10(v)) if v > 0 else
        (name, f"ratio at k = {T - 1}: below float64's 1e-308, log10", -math.inf)
        for name, v in (("RNN", rnn), ("GRU", gru), ("LSTM", lstm))]
    return View(png, readout_table(rows), values)


# ---------------------------------------------------------------- notebook 05

def _shape_table(shapes: dict[str, tuple], batch_first: bool) -> str:
    rows = "".join(
        f"<tr><td style='padding:2px 8px;font-family:monospace'>{name}</td>"
        f"<td style='padding:2px 8px;font-family:monospace'><span class='lstm-shape' data-name='{name}'>"
        f"{shapes[name]}</span></td><td style='padding:2px 8px;color:#6b7280'>"
        f"{html.escape(shape_rule(name, batch_first))}</td></tr>" for name in SHAPE_NAMES)
    return f"<table class='lstm-shapes'><tr><th>tensor</th><th>shape</th><th>rule</th></tr>{rows}</table>"


def shape_explorer_view(seq_len: int, batch: int, input_size: int, hidden_size: int, num_layers: int,
                        bidirectional: bool, batch_first: bool, proj_size: int = 0) -> View:
    """The shape explorer: run a real ``nn.LSTM`` and show every shape beside its rule.

    ``values`` maps each of ``SHAPE_NAMES`` to the shape torch produced (a tuple).
    ``run_shapes`` checks every argument and bounds the sizes; the drawing
    has room for at most 16 layers.
    """
    check_int("num_layers", num_layers, 1, MAX_DRAWN_LAYERS)   # before building the LSTM that draw_layers could not draw
    shapes = run_shapes(seq_len, batch, input_size, hidden_size, num_layers, bidirectional, batch_first,
                        proj_size)
    with panel_figure("shape_explorer_view", (6.0, 1.3 + 0.75 * num_layers)) as fig:
        draw_layers(fig.add_axes((0.0, 0.0, 1.0, 0.88)), seq_len, num_layers, bidirectional)
        png = figure_png(fig)
    return View(png, _shape_table(shapes, batch_first), shapes)


# ---------------------------------------------------------------- notebook 07

def noise_view(noise: float, seed: int = SEED) -> View:
    """Redraw the data with noise std ``noise`` (0 to 10); the noise floor sigma^2 and persistence MSE at once."""
    noisy, clean = article_data(noise, seed)  # checks noise and seed
    noise = float(noise)
    values = {"noise": noise, "noise_floor": noise ** 2, "mse_persistence": persistence_mse(noisy),
              "persistence_expected": 2 * noise ** 2 + persistence_mse(clean)}
    t = np.arange(N_POINTS)
    with panel_figure("noise_view", (7.6, 2.8), margins=(0.6, 0.4, 1.5, 0.35)) as fig:
        ax = fig.add_subplot()
        ax.plot(t[600:], noisy[600:], ".", ms=3, color="#9ca3af", label="noisy data")
        ax.plot(t[600:], clean[600:], color="black", lw=1, label="clean sine")
        ax.axvline(TRAIN_SIZE, color="#d1d5db")
        ax.set_xlim(600, N_POINTS)
        ax.set_ylim(-2.5, 2.5)
        ax.set_title(f"noise σ = {noise:.2f}: noise floor σ² = {noise ** 2:.4f}, "
                     f"persistence MSE = {values['mse_persistence']:.4f}")
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=MIN_FONT_PT)   # beside the data
        png = figure_png(fig)
    rows = [("noise floor", "σ²", values["noise_floor"]),
            ("persistence", "mean (y_t − y_(t−1))², test part", values["mse_persistence"]),
            ("expected", "2σ² + clean step²", values["persistence_expected"])]
    return View(png, readout_table(rows), values)


def retrain_view(noise: float, config: CourseConfig = QUICK_CONFIG, device: str = "auto",
                 on_epoch: EpochCallback | None = None) -> View:
    """Train a small course model on data with noise std ``noise`` (0 to 10); its forecasts and figures as a View."""
    check_instance("config", config, CourseConfig)
    on_epoch = None if on_epoch is None else check_callable("on_epoch", on_epoch)
    noisy, clean = article_data(noise)  # checks noise
    noise = float(noise)
    result = train_course(noisy, config, device, progress=False, on_epoch=on_epoch)
    ev = evaluate(result.model, noisy, clean, config.window, noise=noise)
    with panel_figure("retrain_view", (7.6, 4.6), margins=(0.9, 0.5, 2.0, 0.15)) as fig:
        ax_f, ax_e = fig.subplots(2, 1, sharex=True, height_ratios=[2, 1], gridspec_kw={"hspace": 0.1})
        plot_forecasts(ax_f, noisy, clean, ev)
        plot_forecast_errors(ax_e, clean, ev)
        ax_f.set_xlabel("")
        png = figure_png(fig)
    values = {"noise": noise, "epochs": len(result.train_losses), "seconds": result.seconds,
              "mse_next_noisy": ev.mse_next_noisy, "mse_next_clean": ev.mse_next_clean,
              "mse_persistence": ev.mse_persistence, "noise_floor": ev.noise_floor,
              "mse_oracle": ev.mse_oracle, "freerun_rmse_clean": ev.freerun_rmse_clean}
    rows = [("one-step MSE, noisy", "vs the data", ev.mse_next_noisy),
            ("noise floor", "σ²", ev.noise_floor), ("clean sine", "its MSE vs the data", ev.mse_oracle),
            ("persistence", "repeat the last value", ev.mse_persistence),
            ("one-step MSE, clean", "vs the sine", ev.mse_next_clean),
            ("free-run RMSE, clean", "200 steps", ev.freerun_rmse_clean)]
    return View(png, readout_table(rows), values)


class WhatIfPanel(widgets.VBox):
    """A noise slider (data, noise floor and persistence redrawn at once) and a retrain button.

    The button runs ``retrain_view`` on the slider's noise; an ``IntProgress``
    bar advances each epoch (a tqdm bar would print from the callback's thread).
    ``last`` holds the newest retraining ``View``.
    """

    def __init__(self, noise: float = NOISE, config: CourseConfig = QUICK_CONFIG, device: str = "auto"):
        noise = check_in_range("noise", noise, 0.0, 0.5)  # the slider's range
        check_instance("config", config, CourseConfig)
        self.config, self.device = config, pick_device(device).type
        self.noise = widgets.FloatSlider(value=noise, min=0.0, max=0.5, step=0.01, description="noise σ",
                                         continuous_update=False)
        self.data = LivePanel(noise_view, {"noise": self.noise})
        self.button = widgets.Button(description="retrain a small model", icon="refresh")
        self.bar = widgets.IntProgress(value=0, min=0, max=config.max_epochs, description="epochs")
        # hidden until the first retraining: an Image with no picture shows as a broken image
        self.image = widgets.Image(format="png", layout=widgets.Layout(display="none"))
        self.readout = widgets.HTML()
        self.last: View | None = None
        self.button.on_click(self.retrain)
        super().__init__([self.data, widgets.HBox([self.button, self.bar]), self.readout, self.image])

    def _tick(self, train_losses: list[float], val_losses: list[float]) -> None:
        self.bar.value = len(train_losses)

    def retrain(self, button: widgets.Button | None = None) -> View:
        """Retrain on the current noise and show the result (the button's callback)."""
        self.button.disabled, self.bar.value = True, 0
        try:
            self.last = retrain_view(self.noise.value, self.config, self.device, on_epoch=self._tick)
        finally:
            self.button.disabled = False
        self.bar.value = self.bar.max
        self.image.value, self.readout.value = self.last.png, self.last.html
        self.image.layout.display = None
        return self.last


# ---------------------------------------------------------------- notebook 09

GATE_COLOURS = {"i_t": "#16a34a", "f_t": "#dc2626", "g_t": "#9ca3af", "o_t": "#7c3aed"}   # notebooks 08 and 09
TEXT_VIEW_CHARS = 400   # the most characters one text view shows: more does not fit the page


def _shade(value: float, signed_scale: bool) -> str:
    """A CSS background for a value in [-1, 1] (signed: red below 0, blue above) or [0, 1] (blue)."""
    a = min(abs(value), 1.0)
    rgb = (180, 35, 24) if signed_scale and value < 0 else (29, 78, 216)
    return f"rgba({rgb[0]},{rgb[1]},{rgb[2]},{a:.2f})"


_UNIT_R: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()   # activity -> {signal: {feature: (H,) r}}


def _unit_r(activity: UnitActivity, signal: str) -> dict[str, np.ndarray]:
    """r of every unit's ``signal`` with each feature, kept while the activity lives (for the next slider move)."""
    tables = _UNIT_R.setdefault(activity, {})
    if signal not in tables:
        tables[signal] = unit_table(activity, signal)
    return tables[signal]


def unit_text_view(unit: int, colour_by: str, activity: UnitActivity, start: int = 0, length: int = 240) -> View:
    """The text with each character coloured by one unit's ``colour_by`` (one of ``SIGNALS``), and its gates below.

    ``activity`` from ``char_lstm.unit_activity``; characters ``start`` to
    ``start + length`` (at most ``TEXT_VIEW_CHARS``) are shown, and the unit's four gates
    and tanh(c_t) are drawn over them. c_t and h_t
    are scaled by the unit's largest |value| over the whole text (red below
    0, blue above); the gates i_t, f_t, o_t run from 0 (white) to 1 (blue),
    g_t from -1 to 1. The read-out gives the unit's r with each feature of
    the text over the whole text (computed once per activity and signal).
    """
    check_instance("activity", activity, UnitActivity, "a UnitActivity (from char_lstm.unit_activity)")
    T, H = activity.c.shape
    unit = check_int("unit", unit, 0, H - 1)
    values_all = activity.signal(check_choice("colour_by", colour_by, SIGNALS))[:, unit]
    start = check_int("start", start, 0, T - 1)
    length = check_int("length", length, 1, TEXT_VIEW_CHARS)
    stop = min(T, start + length)
    signed_scale = colour_by in ("c_t", "h_t", "g_t")
    scale = float(np.max(np.abs(values_all))) if colour_by in ("c_t", "h_t") else 1.0
    shown_values = values_all[start:stop] / (scale or 1.0)
    spans = []
    for ch, v in zip(activity.text[start:stop], shown_values):
        glyph = "↵" if ch == "\n" else html.escape(ch)
        spans.append(f"<span style='background:{_shade(float(v), signed_scale)}'>{glyph}</span>"
                     + ("<br>" if ch == "\n" else ""))
    r = {name: float(table[unit]) for name, table in _unit_r(activity, colour_by).items()}
    text_html = ("<div class='lstm-unit-text' style='font-family:monospace;white-space:pre;line-height:1.5;"
                 f"max-width:720px;overflow-x:auto'>{''.join(spans)}</div>")
    rows = [(f"r with {name}", f"unit {unit}'s {colour_by}, all {T} characters", r[name]) for name in FEATURES]
    steps = np.arange(start, stop)
    with panel_figure("unit_text_view", (7.5, 2.6), margins=(0.5, 0.5, 0.15, 0.35)) as fig:
        ax = fig.add_subplot()
        for k, (name, colour) in enumerate(GATE_COLOURS.items()):     # torch's gate order, i f g o
            ax.plot(steps, activity.gates[start:stop, k, unit], color=colour, lw=1, label=name)
        ax.plot(steps, np.tanh(activity.c[start:stop, unit]), color="black", lw=1.5, label="tanh(c_t)")
        ax.set_ylim(-1.05, 1.05)
        ax.set_yticks((-1, 0, 1))
        ax.set_xlim(start, max(stop - 1, start + 1))
        ax.set_xlabel("character")
        ax.legend(loc="lower left", ncol=5, fontsize=MIN_FONT_PT)
        ax.set_title(f"unit {unit}: gates and tanh(c_t), characters {start} to {stop - 1}")
        png = figure_png(fig)
    values = {"unit": unit, "start": start, "stop": stop, **{f"r_{name}": r[name] for name in FEATURES}}
    return View(png, readout_table(rows) + text_html, values)


# ---------------------------------------------------------------- notebook 08



def variant_view(model: VariantModel, x, target: float | None = None, unit: int = 0, marks: tuple[int, ...] = (),
                 input_gate: bool = True, forget_gate: bool = True, output_gate: bool = True,
                 input_activation: bool = True, output_activation: bool = True, coupled: bool = False) -> View:
    """A trained LSTM variant with some switches changed, run over a fixed probe: one unit's gates and c_t over time.

    ``model`` a ``VariantModel`` of a ``VariantLSTM`` variant; ``x`` the
    probe (1, T, D); the switches build ``model.rnn.with_switches(...)``
    (same weights, the dropped blocks gone) and the model's head reads its
    last h_t. ``marks``: steps to draw a line at (e.g. the adding problem's
    markers); ``target``: the answer the probe asks for, if any. The
    read-out: the changed layer's parameters, its answer, c_T of the unit
    and the largest |c_t| of any unit.
    """
    check_instance("model", model, VariantModel, "a VariantModel of an LSTM variant (from variants.ablation)")
    if not isinstance(model.rnn, VariantLSTM):
        raise ValueError(f"model must hold a VariantLSTM (an LSTM variant), got {model.variant!r}")
    x = model.rnn._check_x(x)
    if x.shape[0] != 1:
        raise ValueError(f"x must be one probe sequence, shape (1, steps, {model.rnn.input_size}), got {tuple(x.shape)}")
    T, H = x.shape[1], model.rnn.hidden_size
    unit = check_int("unit", unit, 0, H - 1)
    check_instance("marks", marks, tuple, "a tuple of steps")
    marks = tuple(check_int("marks[]", m, 0, T - 1) for m in marks)
    target = None if target is None else check_in_range("target", target, -1e6, 1e6)
    switches = dict(input_gate=input_gate, forget_gate=forget_gate, output_gate=output_gate,
                    input_activation=input_activation, output_activation=output_activation, coupled=coupled)
    cell = model.rnn.with_switches(**switches)          # checks each switch
    with torch.no_grad():
        signals = {k: v[0].numpy() for k, v in cell.trace(x).items()}      # (T, H) each
        answer = model.head(torch.as_tensor(signals["h_t"][-1:], dtype=model.head.weight.dtype))[0]
    answer = float(answer[0]) if answer.numel() == 1 else float(answer.argmax())
    c_unit = signals["c_t"][:, unit]
    t = np.arange(1, T + 1)
    off = [name.replace("_", " ") for name, on in switches.items() if on is (name == "coupled")]
    with panel_figure("variant_view", (7.5, 3.4), margins=(0.6, 0.5, 0.15, 0.35)) as fig:
        ax = fig.add_subplot()                 # one axes, few ticks: each axes and tick costs a draw
        for name, colour in GATE_COLOURS.items():
            ax.plot(t, signals[name][:, unit], color=colour, lw=1.2, label=name)
        ax.plot(t, c_unit, color="black", lw=2, label="c_t")
        for m in marks:
            ax.axvline(m + 1, color="#d1d5db", lw=1)
        low, high = min(-1.0, float(c_unit.min())), max(1.0, float(c_unit.max()))
        ax.set_ylim(low - 0.05 * (high - low), high + 0.05 * (high - low))
        ax.set_yticks(np.unique(np.round([low, 0.0, 1.0, high], 1)))
        ax.set_xticks(range(0, T + 1, max(1, T // 5)))
        ax.set_xlabel("step t")
        ax.legend(loc="lower left", ncol=5, fontsize=MIN_FONT_PT)
        # the switches that differ from the vanilla cell (a gate or activation off, or the gates coupled)
        ax.set_title(f"unit {unit}: " + (", ".join(off) if off else "vanilla cell, every gate and activation on"))
        png = figure_png(fig)
    params = sum(p.numel() for p in cell.parameters())
    values = {"params": params, "answer": answer, "c_T": float(c_unit[-1]),
              "max_abs_c": float(np.max(np.abs(signals["c_t"]))),
              "mean_f": float(signals["f_t"][:, unit].mean()), "mean_i": float(signals["i_t"][:, unit].mean())}
    rows = [("parameters", f"layer blocks {cell.blocks}", float(params)), ("answer", "head(h_T)", answer)]
    rows += [("target", "what the probe asks", target)] if target is not None else []
    rows += [("c_T", f"unit {unit}", values["c_T"]), ("max |c_t|", "any unit, any step", values["max_abs_c"])]
    return View(png, readout_table(rows), values)
