"""``make search``: phase 5's smaller models, phase 4's recipe unchanged, on the validation split.

    python -m utils.commands.search [--seeds 1 2] [--jobs 2]   # results/phase5_search.json

Judged against phase 4's own model on the same digits and seeds (``results/phase4_trials.json``) by
``utils.experiments.trials.PHASE5_RULE``, committed before the runs. Resumable: see ``utils.experiments.runner``.
"""

import argparse
from pathlib import Path

from ..experiments.runner import trials
from ..paths import results_dir


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--jobs", type=int, default=2, help="runs at a time (each gets cores / jobs threads)")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    trials(args.seeds, args.jobs, args.out or results_dir() / "phase5_search.json", search=True)


if __name__ == "__main__":
    main()
