"""NumpyLSTM against torch.nn.LSTM on the CPU, one thread, float64: forward, and forward + backward.

    .venv/bin/python benchmarks/numpy_vs_torch_lstm.py

Prints the best of several interleaved repeats for each, the ratios NumPy / torch and
the CPU model (ratios differ between CPUs). The course's targets: forward <= 1.0x
torch.nn.LSTM; forward + backward (every weight, bias, input and initial-state
gradient) <= 1.3x torch's autograd. Sizes: T=200 steps, B=32, D=8, H=64.
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

    d_out = np.random.default_rng(1).normal(size=(args.T, args.B, args.H))
    d_out_torch = torch.from_numpy(d_out)
    x_grad = x_torch.clone().requires_grad_(True)

    def run_numpy_both():
        net(x)
        return net.backward(d_out)

    def run_torch_both():
        module.zero_grad(set_to_none=True)
        x_grad.grad = None
        module(x_grad)[0].backward(d_out_torch)

    out, _ = net(x)
    assert np.abs(out - run_torch()[0].numpy()).max() < 1e-12, "NumpyLSTM and nn.LSTM disagree"
    grads = run_numpy_both()
    run_torch_both()
    assert np.abs(grads["weight_hh_l0"] - module.weight_hh_l0.grad.numpy()).max() < 1e-9, "the gradients disagree"
    best = best_times({"numpy": lambda: net(x), "torch": run_torch,
                       "numpy_both": run_numpy_both, "torch_both": run_torch_both}, args.repeats)
    print(f"T={args.T} B={args.B} D={args.D} H={args.H} float64, 1 thread, best of {args.repeats} interleaved, "
          f"on {cpu_model()}")
    for what, ours, theirs, target in (("forward", "numpy", "torch", 1.0),
                                       ("forward + backward", "numpy_both", "torch_both", 1.3)):
        ratio = best[ours] / best[theirs]
        print(f"  {what:<19} NumpyLSTM {best[ours] * 1e3:7.2f} ms   torch {best[theirs] * 1e3:7.2f} ms   "
              f"ratio {ratio:.2f} (target <= {target})")


if __name__ == "__main__":
    main()
