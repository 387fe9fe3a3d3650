"""``make study PHASE=4``: a phase's seed study on the test split, each seed a complete run, run two at a time.

    python -m utils.commands.study --phase 4 [--seeds 1 ... 10] [--compared-seeds 1 ... 5] [--jobs 2] [--compile]
                                   [--device cpu|cuda] [--out FILE]

The phase's own recipe under ``--seeds`` and each recipe the phase compares itself with under ``--compared-seeds``
(default: the phase table's ``compared_seeds``; phase 4's: the original write-up's recipe as this series
reconstructs it, 5 seeds). Recorded as each run finishes, resumable;
default file: the phase's ``study`` in the phase table (``utils.phases``), the study its notebook shows.
"""

import argparse
from pathlib import Path

from ..experiments.runner import study
from ..paths import results_dir
from ..phases import phase

DEFAULT_SEEDS = list(range(1, 11))


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
    args = parser.parse_args(argv)
    study_file = phase(args.phase).study
    if args.out is None and study_file is None:
        parser.error(f"phase {args.phase} has no seed study in the phase table (utils.phases): give --out")
    out = args.out or results_dir() / study_file
    compared = list(phase(args.phase).compared_seeds)
    command = f"make study PHASE={args.phase}" + ("" if args.seeds == DEFAULT_SEEDS else
                                                   f" SEEDS=\"{' '.join(map(str, args.seeds))}\"")
    if args.compared_seeds not in (None, compared):
        command = (f"python -m utils.commands.study --phase {args.phase} --seeds {' '.join(map(str, args.seeds))} "
                   f"--compared-seeds {' '.join(map(str, args.compared_seeds))}")
    if args.device != "cpu":
        command += f" --device {args.device}" if command.startswith("python") else f" DEVICE={args.device}"
    compared_seeds = compared if args.compared_seeds is None else args.compared_seeds
    study(args.phase, args.seeds, compared_seeds, args.jobs, out, compile=args.compile, command=command,
          device=args.device)


if __name__ == "__main__":
    main()
