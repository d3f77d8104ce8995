"""Notebook 09 over several seeds: the best unit for each feature, the unreadable units, where the counting breaks.

Usage: ``python benchmarks/char_lstm.py [--seeds 3]`` (about 10 s of training per seed on a quiet 2-core CPU).
Prints one row per seed and the training time with the CPU model; never a test.
"""

import argparse

import numpy as np
import torch

from lstm_course.topics import char_lstm as cl
from lstm_course.torchkit import cpu_model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(1)
    probe = cl.make_text(20_000, cl.CharConfig().max_depth, seed=10_000)
    deep = cl.make_text(30_000, max_depth=8, seed=20_000)
    print(f"CPU: {cpu_model()}")
    print("seed  r_depth  r_quote  r_position  unreadable  count@0  worst count (depth)  seconds")
    for seed in range(args.seeds):
        result = cl.train(cl.CharConfig(seed=seed), progress=False)
        table = cl.unit_table(cl.unit_activity(result.model, probe))
        best = cl.best_units(table)
        strongest = np.max(np.abs(np.stack(list(table.values()))), axis=0)
        count = {d: a for d, (a, _) in cl.ender_accuracy(result.model, deep)["count"].items()}
        worst = min(count, key=count.get)
        print(f"{seed:4d}  {best['depth'][1]:+.3f}   {best['in_quote'][1]:+.3f}   {best['line_position'][1]:+.3f}"
              f"      {int(np.sum(strongest < 0.3)):3d}       {count[0]:.3f}    {count[worst]:.3f} ({worst})"
              f"          {result.seconds:.1f}")


if __name__ == "__main__":
    main()
