"""Notebook 09 over several seeds: the best unit for each feature, the unreadable units, where the counting breaks.

Usage: ``python benchmarks/char_lstm.py [--seeds 5]`` (about 5 s of training per seed on a 2-core CPU).
Prints one row per seed and the training time with the CPU model; never a test.
"""

import argparse

import torch

from lstm_course.topics import char_lstm as cl
from lstm_course.torchkit import cpu_model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(1)
    probe = cl.make_text(20_000, cl.CharConfig().max_depth, seed=10_000)
    deep = cl.make_text(30_000, max_depth=8, seed=20_000)
    print(f"CPU: {cpu_model()}")
    print("seed  |r| depth  |r| quote  |r| position  unreadable  count at 0  worst count (depth)  seconds")
    for row in cl.seed_rows(tuple(range(args.seeds)), probe, deep):
        print(f"{row['seed']:4d}  {row['r_depth']:9.3f}  {row['r_in_quote']:9.3f}  {row['r_line_position']:12.3f}"
              f"  {row['unreadable']:10d}  {row['count_0']:10.3f}  {row['worst_count']:11.3f} ({row['worst_depth']})"
              f"  {row['seconds']:12.1f}")


if __name__ == "__main__":
    main()
