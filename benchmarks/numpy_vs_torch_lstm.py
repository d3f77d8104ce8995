"""Forward time of NumpyLSTM against torch.nn.LSTM on the CPU, one thread, float64.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/numpy_vs_torch_lstm.py

Prints the best of several (interleaved) repeats for each and the ratio NumPy / torch
(the course's target: within 1.3x). Sizes: T=200 steps, B=32, D=8, H=64.
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before NumPy and torch start their thread pools

import numpy as np  # noqa: E402
import torch  # noqa: E402

from lstm_course.interop import numpy_lstm_from_torch  # noqa: E402
from lstm_course.torchkit import best_times, cpu_model  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--T", type=int, default=200)
    parser.add_argument("--B", type=int, default=32)
    parser.add_argument("--D", type=int, default=8)
    parser.add_argument("--H", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    module = torch.nn.LSTM(args.D, args.H, dtype=torch.float64).eval()
    net = numpy_lstm_from_torch(module)
    x = np.random.default_rng(0).normal(size=(args.T, args.B, args.D))
    x_torch = torch.from_numpy(x)

    def run_torch():
        with torch.no_grad():
            return module(x_torch)

    out, _ = net(x)
    assert np.abs(out - run_torch()[0].numpy()).max() < 1e-12, "NumpyLSTM and nn.LSTM disagree"
    best = best_times({"numpy": lambda: net(x), "torch": run_torch}, args.repeats)
    t_numpy, t_torch = best["numpy"], best["torch"]
    print(f"forward T={args.T} B={args.B} D={args.D} H={args.H} float64, 1 thread, best of {args.repeats}, "
          f"on {cpu_model()}")
    print(f"  NumpyLSTM     {t_numpy * 1e3:8.2f} ms")
    print(f"  torch.nn.LSTM {t_torch * 1e3:8.2f} ms")
    print(f"  ratio NumPy / torch = {t_numpy / t_torch:.2f}")


if __name__ == "__main__":
    main()
