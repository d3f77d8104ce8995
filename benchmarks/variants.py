"""Notebook 08 at full size: Greff et al.'s ablations on the adding problem (T = 50) and temporal order, more steps and seeds.

Usage: ``python benchmarks/variants.py [--steps 1500] [--seeds 5] [--hidden 32] [--batch 64]`` (a few minutes
per task on a 2-core CPU: the LSTM variants of a task train together as one ``Bank``, the GRU on its own).
Prints the budget, every run's score and the table (mean ± std over seeds, min, max) with the CPU model; never a test.
"""

import argparse
import time

import torch

from lstm_course.topics import variants as V
from lstm_course.torchkit import cpu_model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1500)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--hidden", type=int, default=32)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--T", type=int, default=50)
    parser.add_argument("--tasks", nargs="+", default=list(V.TASKS))
    args = parser.parse_args()
    torch.set_num_threads(1)
    budget = V.Budget(T=args.T, steps=args.steps, batch=args.batch, hidden=args.hidden)
    print(f"CPU: {cpu_model()}; torch {torch.__version__}, 1 thread")
    print(f"budget: {budget}; seeds 0..{args.seeds - 1}; score: test MSE (adding, mean guess 1/6) "
          f"or test error rate (order, guessing 0.75)")
    start = time.perf_counter()
    rows = V.ablation(tuple(args.tasks), seeds=tuple(range(args.seeds)), budget=budget)
    for r in rows:
        print(f"{r['task']:<7} {r['variant']:<8} seed {r['seed']}  {r['score']:.4f}")
    print(V.format_summary(V.summary(rows)))
    print(f"{time.perf_counter() - start:.0f} s in all")


if __name__ == "__main__":
    main()
