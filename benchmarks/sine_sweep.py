"""Notebook 07's figures at full size: every approach over seeds, the LSTM's settings chosen by cross-validation.

    .venv/bin/python benchmarks/sine_sweep.py                  # 10 seeds, every part (about 90 s on a loaded 2-core Xeon)
    .venv/bin/python benchmarks/sine_sweep.py --seeds 5 --parts sine
    .venv/bin/python benchmarks/sine_sweep.py --parts cv gpu

Parts:

- ``cv``: the forget-gate bias of ``CourseConfig`` (0, 1, 2) chosen by
  rolling-origin cross-validation over the article's training part (4 folds of
  100 targets, each fold's model trained with early stopping on its own past);
  the test part is never read.
- ``cv-settings``: the same cross-validation (2 folds, as in the notebook) ranks
  ``sine.COURSE_GRID`` for the course LSTM (its setting ties with the best: it is kept),
  ``sine.HIGHWAY_GRID`` for the highway LSTM on the article's data and
  ``sine.MG_GRID`` for part 4's LSTM on Mackey-Glass seed 0: ``HIGHWAY_CONFIG``
  and ``MG_CONFIG`` are the chosen settings (about three minutes).
- ``sine``: ``sine.sweep`` over ``--seeds`` (data seed, model seed) pairs: the
  baselines, the course LSTM and the LSTM with the ridge AR highway, each as
  mean ± std (min..max) of one-step MSE and free-run RMSE against the clean sine.
- ``mg``: the same on Mackey-Glass (tau = 17, sampled every 6 time units),
  with ``sine.MG_CONFIG``, and the ratio of the ridge AR's one-step MSE to the LSTM's per seed.
- ``gpu``: one training step's time on each device this machine has, for the
  course model's batch and larger ones (``sine.step_times``).

The notebook runs the same functions with fewer seeds. Timings depend on the
CPU (printed first), the torch version and the machine's load.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before torch starts its thread pool

import numpy as np  # noqa: E402
import torch  # noqa: E402

from lstm_course.topics import sine  # noqa: E402
from lstm_course.torchkit import available_devices, cpu_model  # noqa: E402

SEEDS = ((42, 0),) + tuple((k, k) for k in range(1, 100))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=10, help="(data seed, model seed) pairs: (42, 0), (1, 1), ...")
    parser.add_argument("--parts", nargs="+", choices=("cv", "cv-settings", "sine", "mg", "gpu"),
                        default=["cv", "cv-settings", "sine", "mg", "gpu"])
    parser.add_argument("--folds", type=int, default=4)
    args = parser.parse_args()
    if not 1 <= args.seeds <= len(SEEDS):
        parser.error(f"--seeds must be in [1, {len(SEEDS)}], got {args.seeds}")
    torch.set_num_threads(1)
    seeds = SEEDS[:args.seeds]
    print(f"{cpu_model()}; torch {torch.__version__}, 1 thread; devices {available_devices()}")
    if "cv" in args.parts:
        start = time.perf_counter()
        noisy, _ = sine.article_data()
        configs = {b: sine.CourseConfig(forget_bias=b) for b in sine.FORGET_BIASES}
        best, scores = sine.choose_config(noisy[:sine.TRAIN_SIZE], configs, folds=args.folds)
        print(f"\nforget bias by {args.folds}-fold rolling-origin CV on the training part "
              f"({time.perf_counter() - start:.0f} s):")
        for b, v in scores.items():
            print(f"  bias {b}: mean MSE {v.mean():.5f}, folds {np.round(v, 5).tolist()}")
        print(f"  chosen: {best}")
    if "cv-settings" in args.parts:
        for label, data, base, grid, chosen in (
                ("the course LSTM, the article's data", sine.article_data()[0], sine.CourseConfig(),
                 sine.COURSE_GRID, sine.CourseConfig()),
                ("the highway LSTM, the article's data", sine.article_data()[0], sine.HIGHWAY_CONFIG,
                 sine.HIGHWAY_GRID, sine.HIGHWAY_CONFIG),
                ("part 4's LSTM, Mackey-Glass seed 0", sine.mackey_glass_data(0)[0], sine.MG_CONFIG,
                 sine.MG_GRID, sine.MG_CONFIG)):
            start = time.perf_counter()
            best, scores = sine.choose_config(data[:sine.TRAIN_SIZE], sine.config_grid(base, grid), folds=2)
            print(f"\n{label}: {', '.join(grid)} by 2-fold rolling-origin CV ({time.perf_counter() - start:.0f} s):")
            for key, v in sorted(scores.items(), key=lambda kv: kv[1].mean()):
                print(f"  {key}: mean MSE {v.mean():.5f}, folds {np.round(v, 5).tolist()}")
            in_use = tuple(getattr(chosen, name) for name in grid)
            print(f"  chosen: {best}; the package's setting: {in_use}{'' if best == in_use else '  (DIFFERENT)'}")
    if "sine" in args.parts:
        start = time.perf_counter()
        rows = sine.sweep("sine", seeds, {"course LSTM": sine.CourseConfig(),
                                          "LSTM + ridge highway": sine.HIGHWAY_CONFIG})
        print(f"\nthe article's sine, {len(seeds)} seeds ({time.perf_counter() - start:.0f} s):")
        print(sine.format_summary(sine.summarize(rows)))
    if "mg" in args.parts:
        start = time.perf_counter()
        rows = sine.sweep("mackey-glass", seeds, {"LSTM": sine.MG_CONFIG})
        print(f"\nMackey-Glass, {len(seeds)} seeds ({time.perf_counter() - start:.0f} s):")
        print(sine.format_summary(sine.summarize(rows)))
        ridge = [r["mse_next_clean"] for r in rows if r["approach"] == "ridge AR"]
        lstm = [r["mse_next_clean"] for r in rows if r["approach"] == "LSTM"]
        print("ridge AR / LSTM one-step MSE per seed:", np.round(np.array(ridge) / np.array(lstm), 1).tolist())
    if "gpu" in args.parts:
        print("\none training step of the course model (best of 5):")
        for row in sine.step_times():
            print(f"  {row['device']:>5}  batch {row['batch']:>6}  {1000 * row['seconds']:9.2f} ms")
        if "cuda" not in available_devices():
            print("  (no CUDA device on this machine: the GPU column is missing, not faked)")


if __name__ == "__main__":
    main()
