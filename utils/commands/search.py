"""``make search``: phase 5's smaller models on the validation split, never on the test set.

    python -m utils.commands.search [--jobs 2]                              # round 4: results/phase5_round4.json
    python -m utils.commands.search --round 3 [--jobs 2] [--compile]        # round 3: results/phase5_frontier.json
    python -m utils.commands.search --round 2 [--jobs 2] [--compile]        # round 2: results/phase5_search_round2.json
    python -m utils.commands.search --round 1 [--seeds 1 2]                 # round 1: results/phase5_search.json

Round 4 (``utils.experiments.phase5_round4``, a plan the experiment driver runs): candidates of at most 4,000
parameters that spend them another way, under phase 4's recipe once its round 4 has picked. Round 3, the frontier (``utils.experiments.frontier.RULE``): one design at five sizes from 2,016 to 6,664 parameters
and phase 4's model, under phase 4's recipe (round 3 of its trials) with batches of at most 64, 8 seeds each
(eager: see ``utils.experiments.runner.frontier``); the pick waits for phase 4's test-set study, which calibrates the
level. Round 2 (``utils.experiments.search2.RULE``): architectures of at most 4,000 parameters under phase 4's recipe,
then recipe levers on the frontier one, then the finalists on more seeds, judged against phase 4's recipe and model
in round 2 of phase 4's trials. Round 1: phase 4's recipe unchanged, judged by ``utils.experiments.round1.SEARCH_RULE``
against round 1 of phase 4's trials. Each committed before its runs; resumable (see ``utils.experiments.runner``).
"""

import argparse
from pathlib import Path

from ..experiments.driver import run_plan
from ..experiments.runner import frontier, search2, trials
from ..paths import results_dir
from ..phases import rounds_of


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--round", type=int, choices=(1, 2, 3, 4), default=4, help="round 4 (default), 3, 2 or 1")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2], help="round 1 only (round 2's are its rule's)")
    parser.add_argument("--jobs", type=int, default=2, help="runs at a time (each gets cores / jobs threads)")
    parser.add_argument("--compile", action="store_true", help="rounds 2 and 3: each training step through "
                        "torch.compile (slower than eager for the small models' depthwise convolutions on a CPU)")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    if args.round == 4:
        from ..experiments.phase5_round4 import PLAN  # its candidates are phase 4's recipe of today
        run_plan(PLAN, args.jobs, results_dir(), out=args.out)
        return
    out = args.out or results_dir() / rounds_of("search")[args.round - 1]
    if args.round == 1:
        trials(args.seeds, args.jobs, out, search=True)
    elif args.round == 2:
        search2(args.jobs, out, compile=args.compile)
    else:
        frontier(args.jobs, out, compile=args.compile)


if __name__ == "__main__":
    main()
