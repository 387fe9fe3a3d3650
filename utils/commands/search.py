"""``make search``: phase 5's smaller models on the validation split, never on the test set.

    python -m utils.commands.search [--jobs 2]                              # round 4: results/phase5_round4.json
    python -m utils.commands.search --round 3 [--jobs 2] [--compile]        # round 3: results/phase5_frontier.json

Round 4 (``utils.experiments.phase5_round4``, a plan the experiment driver runs): candidates of at most 4,000
parameters that spend them another way, under the pick of phase 4's round 4. Round 3, the frontier
(``utils.experiments.frontier.RULE``), chose today's model: one design at five sizes from 2,016 to 6,664 parameters
and phase 4's model, under phase 4's recipe with batches of at most 64, 8 seeds each, eager; its level comes from
phase 4's test-set study. Rounds 1 and 2 are records under ``results/past/``. Each rule was committed before its
runs; resumable: a re-run trains only what its record lacks.
"""

import argparse
from pathlib import Path

from ..experiments.driver import run_plan
from ..experiments.runner import frontier
from ..paths import results_dir
from ..phases import rounds_of


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--round", type=int, choices=(3, 4), default=4, help="round 4 (default) or 3")
    parser.add_argument("--jobs", type=int, default=2, help="runs at a time (each gets cores / jobs threads)")
    parser.add_argument("--compile", action="store_true", help="round 3: each training step through "
                        "torch.compile (slower than eager for the small models' depthwise convolutions on a CPU)")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    if args.round == 4:
        from ..experiments.phase5_round4 import PLAN
        run_plan(PLAN, args.jobs, results_dir(), out=args.out)
        return
    frontier(args.jobs, args.out or results_dir() / rounds_of("search")[2], compile=args.compile)


if __name__ == "__main__":
    main()
