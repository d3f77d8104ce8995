"""How long each slider panel's callback takes, as during a drag: median over a sweep of slider values.

    .venv/bin/python benchmarks/panels.py [--calls 30]

Each view function is called ``--calls`` times with the moved slider
stepping through its range (as a drag sends values), after one warm-up call
that is not counted. Prints the median wall time and the slowest call per
panel, the median CPU time of the process (on a shared, loaded machine it
is closer to what a quiet machine's wall clock would read), the target of
issue 14 beside them, and the CPU model. Torch runs on one thread, as in
the notebooks that hold the panels.
"""

from __future__ import annotations

import argparse
import functools
import os
import statistics
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before NumPy and torch start their thread pools

import numpy as np  # noqa: E402
import torch  # noqa: E402

from lstm_course.classroom import panels  # noqa: E402
from lstm_course.topics import char_lstm as cl  # noqa: E402
from lstm_course.topics import variants  # noqa: E402
from lstm_course.torchkit import cpu_model  # noqa: E402


def sweep(lo: float, hi: float, n: int) -> np.ndarray:
    """n slider values from lo to hi and back, as a drag there and back sends them."""
    half = np.linspace(lo, hi, (n + 1) // 2)
    return np.concatenate([half, half[::-1]])[:n]


def cases(n: int) -> list[tuple[str, float, list]]:
    """(panel, target in ms, list of argument dicts): the slider each notebook offers, swept."""
    gate = dict(i_t=0.5, f_t=0.9, g_t=-0.8, o_t=0.7, c_prev=1.0)
    inputs = dict(x_t=1.0, h_prev=0.5, w_x=1.5, w_h=-0.4, b=0.1)
    shapes = dict(seq_len=3, batch=2, input_size=5, hidden_size=6, num_layers=2, bidirectional=False,
                  batch_first=False, proj_size=0)
    return [
        ("gate_values_view (01)", 50, [{**gate, "f_t": round(float(v), 2)} for v in sweep(0, 1, n)]),
        ("gate_from_inputs_view (01)", 50, [{**inputs, "x_t": round(float(v), 2)} for v in sweep(-3, 3, n)]),
        ("memory_view (01)", 50, [dict(i=1.0, f=round(float(v), 3)) for v in sweep(0.5, 1.0, n)]),
        ("noise_view (07)", 150, [dict(noise=round(float(v), 2)) for v in sweep(0, 0.5, n)]),
        ("shape_explorer_view (05)", 150, [{**shapes, "seq_len": int(v), "num_layers": 1 + k % 4}
                                           for k, v in enumerate(sweep(1, 10, n))]),
        ("gradient_flow_view T=100 (04)", 150, [dict(T=100, forget_bias=float(v)) for v in sweep(-2, 4, n)]),
        ("gradient_flow_view T=300 (04)", 250, [dict(T=300, forget_bias=float(v)) for v in sweep(-2, 4, n)]),
        # the T slider: each LSTM curve is new (a bias nobody slides to); RNN and GRU curves of a T seen before are kept
        ("gradient_flow_view T sweep (04)", 250, [dict(T=int(v), forget_bias=0.25 + k / 1000)
                                                  for k, v in enumerate(sweep(10, 300, n).round(-1))]),
        # notebook 08's checkboxes: each toggle rebuilds the cell from the model's weights and runs the probe
        ("variant_view (08)", 50, [{name: name != "coupled" if k % 6 != j else name == "coupled"
                                    for j, name in enumerate(VARIANT_SWITCHES)} for k in range(n)]),
        # notebook 09's unit slider over one trained model's activity (trained once, below, in a few seconds)
        ("unit_text_view (09)", 50, [dict(unit=int(v), colour_by="c_t") for v in sweep(0, 31, n)]),
    ]


VARIANT_SWITCHES = ("input_gate", "forget_gate", "output_gate", "input_activation", "output_activation", "coupled")


@functools.lru_cache(maxsize=1)
def _variant_probe():
    """An untrained 16-unit model (as fast as a trained one) and a T = 50 adding probe, made once."""
    torch.manual_seed(0)
    return variants.VariantModel("vanilla", 2, 16), *variants.adding_batch(50, 1, torch.Generator().manual_seed(7))


def _variant_view(**switches):
    """notebook 08's panel, one checkbox toggled per call."""
    model, x, y = _variant_probe()
    return panels.variant_view(model, x, float(y), **switches)


def unit_text_view(**kwargs):
    """``panels.unit_text_view`` over notebook 09's model and probe text, built on the first call."""
    if not _ACTIVITY:
        config = cl.CharConfig()
        model = cl.train(config, progress=False).model
        _ACTIVITY.append(cl.unit_activity(model, cl.make_text(20_000, config.max_depth, seed=10_000)))
    return panels.unit_text_view(activity=_ACTIVITY[0], **kwargs)


_ACTIVITY: list = []
VIEWS = {"gate_values_view": panels.gate_values_view, "gate_from_inputs_view": panels.gate_from_inputs_view,
         "memory_view": panels.memory_view, "noise_view": panels.noise_view,
         "shape_explorer_view": panels.shape_explorer_view, "gradient_flow_view": panels.gradient_flow_view,
         "variant_view": _variant_view, "unit_text_view": unit_text_view}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=30, help="calls per panel (default 30)")
    parser.add_argument("--only", default="", help="run only the panels whose name contains this text")
    args = parser.parse_args()
    torch.set_num_threads(1)
    print(f"panel callbacks, median of {args.calls} calls over a slider sweep, on {cpu_model()} "
          f"(load average {os.getloadavg()[0]:.2f})")
    print(f"  {'panel (notebook)':32s} {'median':>9s} {'slowest':>9s} {'cpu':>9s} {'target':>8s}")
    for label, target, arg_list in cases(args.calls):
        if args.only not in label:
            continue
        view = VIEWS[label.split()[0]]
        view(**arg_list[-1])                      # warm-up: imports, caches, first-call costs
        times, cpu = [], []
        for kwargs in arg_list:
            start, start_cpu = time.perf_counter(), time.process_time()
            view(**kwargs)
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        median = statistics.median(times)
        print(f"  {label:32s} {median * 1e3:7.1f} ms {max(times) * 1e3:7.1f} ms "
              f"{statistics.median(cpu) * 1e3:7.1f} ms {target:5d} ms  {'ok' if median * 1e3 <= target else 'over'}")


if __name__ == "__main__":
    main()
