"""What one training step of an RNN, a GRU and an LSTM costs on this CPU, with and without oneDNN.

    .venv/bin/python benchmarks/step_cost.py                # H = 32 and 256, best of 20 interleaved repeats
    .venv/bin/python benchmarks/step_cost.py --hiddens 32 64 128 256 --repeats 50

One training step (forward, backward, Adam) of ``adding_problem.cost_table``'s
model on a batch of 64 adding sequences of length 50, one CPU thread. The
three kinds take turns inside each hidden size and the fastest of the
repeats is kept (``torchkit.best_times``), so a busy moment on a shared
machine slows them alike. The table is printed twice: with torch's oneDNN
(mkldnn) kernels, which run the CPU LSTM as one fused operation, and with
them turned off (``torch.backends.mkldnn.flags(enabled=False)``). Timings
depend on the CPU (printed first), the torch version and the machine's load.
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before torch starts its thread pool

import torch  # noqa: E402

from lstm_course.topics.adding_problem import cost_table  # noqa: E402
from lstm_course.torchkit import cpu_model  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hiddens", type=int, nargs="+", default=[32, 256])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--T", type=int, default=50)
    parser.add_argument("--batch", type=int, default=64)
    args = parser.parse_args()
    torch.set_num_threads(1)
    print(f"{cpu_model()}; torch {torch.__version__}, 1 thread; one training step, T = {args.T}, "
          f"batch {args.batch}, best of {args.repeats} interleaved repeats")
    try:
        for onednn in (True, False):
            rows = cost_table(tuple(args.hiddens), T=args.T, batch=args.batch, repeats=args.repeats,
                              progress=False, onednn=onednn)
            ms = {(r["kind"], r["hidden"]): r["ms_per_step"] for r in rows}
            print(f"\noneDNN {'on' if onednn else 'off'}:")
            print(f"{'hidden':>6}  {'RNN ms':>8}  {'GRU ms':>8}  {'LSTM ms':>8}  {'GRU/RNN':>7}  {'LSTM/RNN':>8}")
            for h in args.hiddens:
                rnn, gru, lstm = ms["rnn", h], ms["gru", h], ms["lstm", h]
                print(f"{h:>6}  {rnn:>8.2f}  {gru:>8.2f}  {lstm:>8.2f}  {gru / rnn:>7.2f}  {lstm / rnn:>8.2f}")
    except (TypeError, ValueError) as exc:          # a bad setting: a usage error (exit 2), not a traceback
        parser.error(str(exc))


if __name__ == "__main__":
    main()
