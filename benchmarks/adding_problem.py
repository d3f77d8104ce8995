"""The adding problem with the full budget: RNN, GRU and LSTM at several sequence lengths.

    .venv/bin/python benchmarks/adding_problem.py                 # T = 50, 100, 200; 1500 steps each
    .venv/bin/python benchmarks/adding_problem.py --Ts 50 --steps 1000 --cost
    .venv/bin/python benchmarks/adding_problem.py --robustness     # the robustness table of notebook 04

Every model trains with the same seeds (initialisation and batches), the
same budget (steps of Adam on batches of 64) and on one CPU thread, then is
tested on the same 1000 held-out sequences. Prints the table notebook 04
quotes for T > 50: T, model, test MSE (and as a fraction of the 0.167 that
always answering the mean scores), training seconds. ``--cost`` adds
parameters and milliseconds per training step at a few hidden sizes.
``--robustness`` instead trains ``ROBUSTNESS`` and ``FIRST_SIGN`` (learning
rates, seeds, a parameter-matched RNN, orthogonal and identity W_hh,
shorter sequences; the first-sign task with longer budgets) at T = 50 and
``--steps`` steps unless a setting says otherwise.
Seconds depend on the machine and on whatever else it is running.
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before torch starts its thread pool

import torch  # noqa: E402

from lstm_course.topics.adding_problem import (  # noqa: E402
    FIRST_SIGN,
    KINDS,
    ROBUSTNESS,
    cost_table,
    format_robustness,
    format_table,
    robustness,
    sweep,
)
from lstm_course.torchkit import cpu_model  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--Ts", type=int, nargs="+", default=[50, 100, 200])
    parser.add_argument("--kinds", nargs="+", default=list(KINDS), choices=KINDS)
    parser.add_argument("--steps", type=int, default=1500)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--hidden", type=int, default=32)
    parser.add_argument("--lr", type=float, default=1e-2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cost", action="store_true", help="also print parameters and time per step")
    parser.add_argument("--robustness", action="store_true",
                        help="train the robustness table (ROBUSTNESS and FIRST_SIGN) instead of the sweep")
    args = parser.parse_args()
    torch.set_num_threads(1)
    print(f"torch {torch.__version__}, {cpu_model()}, 1 thread; "
          f"{args.steps} Adam steps of batch {args.batch}, lr {args.lr}, hidden {args.hidden}, seed {args.seed}")
    try:
        if args.robustness:
            print(format_robustness(robustness(ROBUSTNESS + FIRST_SIGN, T=args.Ts[0], steps=args.steps,
                                               batch=args.batch, seed=args.seed)))
            return
        results = sweep(tuple(args.Ts), tuple(args.kinds), steps=args.steps, batch=args.batch, hidden=args.hidden,
                        lr=args.lr, seed=args.seed)
        print(format_table(results))
        if args.cost:
            print(f"\n{'model':<5}  {'hidden':>6}  {'params':>7}  {'ms/step':>8}   (T=50, batch {args.batch})")
            for row in cost_table(batch=args.batch):
                print(f"{row['kind']:<5}  {row['hidden']:>6}  {row['params']:>7}  {row['ms_per_step']:>8.2f}")
    except (TypeError, ValueError) as exc:          # a bad setting: a usage error (exit 2), not a traceback
        parser.error(str(exc))


if __name__ == "__main__":
    main()
