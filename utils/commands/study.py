"""``make study PHASE=4``: a phase's seed study on the test split, each seed a complete run, run two at a time.

    python -m utils.commands.study --phase 4 [--seeds 1 ... 10] [--compared-seeds 1 ... 5] [--jobs 2] [--compile]
                                   [--device cpu|cuda] [--out FILE] [--pick]

The phase's own recipe under ``--seeds`` and each recipe the phase compares itself with under ``--compared-seeds``
(default: the phase table's ``compared_seeds``; phase 4's: the original write-up's recipe as this series
reconstructs it, 5 seeds). Recorded as each run finishes, resumable;
default file: the phase's ``study`` in the phase table (``utils.phases``), the study its notebook shows. ``--pick``:
the recipe that the phase's latest round picked on validation digits instead of the phase's own, to study it before the
notebook runs it (with ``--out``, a file no notebook reads).
"""

import argparse
import shlex
import sys
from pathlib import Path

from ..experiments import phase4_round4, phase5_round4
from ..experiments.runner import study
from ..paths import results_dir
from ..phases import phase
from ..records import load

DEFAULT_SEEDS = list(range(1, 11))
LATEST_ROUND = {4: phase4_round4.PLAN, 5: phase5_round4.PLAN}  # phase -> the plan of its latest round


def picked_recipe(number: int, results: Path) -> dict:
    """The whole recipe that phase ``number``'s latest round picked, from its record (an error until it has)."""
    plan = LATEST_ROUND.get(number)
    record = load(plan.file, results, required=False) if plan else None
    if not (record or {}).get("complete"):
        raise ValueError(f"phase {number} has no finished round that picked a recipe"
                         + (f" (results/{plan.file}: {plan.command})" if plan else ""))
    return plan.candidate(record["picked"]).recipe


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--phase", type=int, required=True)
    parser.add_argument("--seeds", type=int, nargs="+", default=DEFAULT_SEEDS)
    parser.add_argument("--compared-seeds", type=int, nargs="*", default=None,
                        help="seeds of the recipes the phase is compared with (none: leave them out)")
    parser.add_argument("--jobs", type=int, default=2, help="runs at a time (each gets cores / jobs threads)")
    parser.add_argument("--compile", action="store_true", help="each training step through torch.compile (faster "
                        "on a CPU after ~30 s of compiling; a run of its own, not bit-identical to the eager one)")
    parser.add_argument("--device", default="cpu", choices=("cpu", "cuda"),
                        help="where each run trains (cuda: a GPU box; each run records its platform)")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--pick", action="store_true", help="the recipe the phase's latest round picked, not the "
                        "phase's own (with --out: a study no notebook shows yet)")
    argv = sys.argv[1:] if argv is None else argv
    args = parser.parse_args(argv)
    study_file = phase(args.phase).study
    if args.out is None and study_file is None:
        parser.error(f"phase {args.phase} has no seed study in the phase table (utils.phases): give --out")
    if args.pick and args.out is None:
        parser.error(f"--pick needs --out: results/{study_file} is the study of the recipe phase {args.phase}'s "
                     "notebook runs")
    out = args.out or results_dir() / study_file
    compared = list(phase(args.phase).compared_seeds)
    command = f"make study PHASE={args.phase}" + ("" if args.seeds == DEFAULT_SEEDS else
                                                   f" SEEDS=\"{' '.join(map(str, args.seeds))}\"")
    if args.device != "cpu":
        command += f" DEVICE={args.device}"
    if args.compared_seeds not in (None, compared) or args.compile or args.pick or args.out:
        command = "python -m utils.commands.study " + shlex.join(argv)  # what make study cannot say
    compared_seeds = compared if args.compared_seeds is None else args.compared_seeds
    try:
        recipe = picked_recipe(args.phase, results_dir()) if args.pick else None
    except ValueError as error:
        parser.error(str(error))
    study(args.phase, args.seeds, compared_seeds, args.jobs, out, compile=args.compile, command=command,
          device=args.device, recipe=recipe)


if __name__ == "__main__":
    main()
