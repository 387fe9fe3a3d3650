"""``make spread``: the phases without a seed study (1-3) under more seeds, on the test split: the run-to-run spread
behind each notebook's regression tolerance (``utils.checks.regression``).

    python -m utils.commands.spread [--seeds 2 3] [--jobs 2]   # results/spread.json
"""

import argparse
from pathlib import Path

from ..experiments.runner import spread
from ..paths import results_dir
from ..phases import SPREAD


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[2, 3])
    parser.add_argument("--jobs", type=int, default=2, help="runs at a time (each gets cores / jobs threads)")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    spread(args.seeds, args.jobs, args.out or results_dir() / SPREAD)


if __name__ == "__main__":
    main()
