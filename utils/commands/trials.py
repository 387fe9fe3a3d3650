"""``make trials``: choose phase 4's recipe on the validation split, never on the test set.

    python -m utils.commands.trials [--jobs 2]                 # round 4: results/phase4_trials_round4.json
    python -m utils.commands.trials --round 3 [--eager]        # round 3: results/phase4_trials_round3.json

Every candidate trains on the first 50,000 training digits and is evaluated after every epoch on the last 10,000,
once per seed; each decision rule (``utils.experiments.round3``, ``phase4_round4``) was committed before the runs it
judges. Round 4 is a plan that the experiment driver runs (``utils.experiments.driver``); round 3, which chose
today's recipe, runs each stage as the stages before it call for, then decides, through ``torch.compile`` (measured
1.46x cheaper per run here, two runs at a time; ``--eager``: without). Rounds 1 and 2 are records under
``results/past/``. Resumable: a re-run trains only what its record lacks.
"""

import argparse
from pathlib import Path

from ..experiments.driver import run_plan
from ..experiments.phase4_round4 import PLAN
from ..experiments.runner import round3
from ..paths import results_dir
from ..phases import rounds_of


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--round", type=int, choices=(3, 4), default=4, help="round 4 (default) or 3")
    parser.add_argument("--jobs", type=int, default=2, help="runs at a time (each gets cores / jobs threads)")
    parser.add_argument("--eager", action="store_true", help="round 3 without torch.compile")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    if args.round == 4:
        run_plan(PLAN, args.jobs, results_dir(), out=args.out)
        return
    round3(args.jobs, args.out or results_dir() / rounds_of("trials")[2], compile=not args.eager)


if __name__ == "__main__":
    main()
