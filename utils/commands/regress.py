"""``make regress`` (the long part of ``make test``): re-execute copies of the committed notebooks and compare.

    python -m utils.commands.regress [--full] [--set NAME=VALUE ...] [NOTEBOOK ...]   # default: every phase's notebook

``--set`` injects a parameter into every copy (e.g. ``--set epochs=1 --set limit_train=512`` checks a smoke-run
record made with the same values; the recorded results must then come from such a run).

Each copy runs in a temporary folder that keeps the repository's layout, so its ``../results`` and ``../image`` land
there and the committed files are never touched (the recorded JSON files are copied there first, for what a
notebook reads of the phases before it). Two checks per notebook:

1. nbval (``--nbval-lax``) compares the cells marked ``# NBVAL_CHECK_OUTPUT``. On the platform that recorded the
   notebook it compares them exactly; elsewhere accuracies, met / not met words and
   whether the notebook's run is one of the study's (only where it ran as the study's did) are masked
   (``SANITIZE``), so it checks the text only: model summaries, receptive-field tables, the verdict's form.
2. ``utils.checks.regression.check_notebook`` compares the re-run's results file with the recorded one: exactly on the
   recording platform, within the phase's tolerance elsewhere.

A seed study is a record (``make study``) that notebooks 4 and 5 show, like the trials: re-executing a notebook
re-trains its headline run only.

Where a notebook's recording platform is not this one, only the tolerance can be checked, and the notebooks run two
at a time, one thread each (on 2 cores the faster layout); on the recording platform each runs alone, as recorded.

On the recording platform a notebook whose recipe has a constant learning rate and no weight average (phases 1-3)
re-runs its first ``PREFIX_EPOCHS`` epochs only (``--full``: all of them): each of its epochs runs the same code on
the next shuffle of the digits, and nothing in an epoch depends on how many follow, so a shorter run of the same seed
is the recorded run as far as it goes, and its per-epoch accuracies must equal the record's first ones bit for bit.
Its checked cells are then compared as text (``SANITIZE`` and the epoch count masked). This keeps ``make test``
within its budget; phases 4 and 5, whose learning rate drops late, always re-run in full.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
from papermill.iorw import load_notebook_node
from papermill.parameterize import parameterize_notebook

from ..checks.regression import FAIL, check_notebook
from ..core.machine import describe, platform_record
from ..core.runtime import pick_device
from ..paths import notebook_dir, results_dir
from ..phases import PHASES, result_file
from ..records import copy_records, load
from .run import parse_value

CELL_TIMEOUT_S = 3600
PREFIX_EPOCHS = 5  # a constant-rate notebook re-run on the recording platform: its first 5 epochs, compared exactly
SANITIZE = """\
[accuracy]
regex: \\d+\\.\\d\\d
replace: D.DD
[verdict-line]
regex: (not met|met    )  
replace: VERDICT  
[run]
regex: this run: (held|did not hold)
replace: this run: VERDICT
[whose-run]
regex: this notebook's run[^:]*:
replace: this notebook's run WHOSE:
"""
SANITIZE_EPOCHS = """\
[epochs]
regex: epochs \\d+ <=
replace: epochs N <=
"""


def prefix_epochs(recipe: dict) -> int | None:
    """``PREFIX_EPOCHS`` for a recipe whose epochs differ only in their digits (a constant learning rate, no weight
    average), else None: a shorter re-run of such a recipe is its full run's beginning."""
    constant = recipe["schedule"]["name"] == "none" and not recipe["train"]["ema"]
    return PREFIX_EPOCHS if constant and PREFIX_EPOCHS < recipe["train"]["epochs"] else None


def _copy(source: Path, folder: Path, parameters: dict) -> Path:
    nb = load_notebook_node(str(source))  # as papermill reads it: with the metadata its parameterizer expects
    if parameters:
        nb = parameterize_notebook(nb, parameters)
    target = folder / source.name
    nbformat.write(nb, target)
    return target


def _nbval(notebook: Path, root: Path, sanitize: Path | None, threads: int | None = None) -> tuple[bool, str]:
    """nbval on one copy; returns (passed, its output). ``threads`` caps the kernel's threads (None: as recorded)."""
    args = [sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-current-env",
            f"--nbval-cell-timeout={CELL_TIMEOUT_S}", "-p", "no:cacheprovider", f"--rootdir={root}", "-q",
            str(notebook)]
    if sanitize is not None:
        args += ["--nbval-sanitize-with", str(sanitize)]
    env = {**os.environ, **({"OMP_NUM_THREADS": str(threads), "MKL_NUM_THREADS": str(threads)} if threads else {})}
    done = subprocess.run(args, env=env, capture_output=True, text=True)
    return done.returncode == 0, done.stdout + done.stderr


def _mode(prefix: int | None, exact: bool, recorded_on: dict | None) -> str:
    """How a notebook's re-run is checked, in the words of its report's header."""
    if prefix:
        return f"text only, its first {prefix} epochs re-run and compared exactly"
    if exact:
        return "exact"
    if recorded_on:
        return f"text only (recorded on {describe(recorded_on)})"
    return "text only (recording platform unknown)"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", help="default: every phase's notebook, in order")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="inject a parameter")
    parser.add_argument("--full", action="store_true", help="every notebook at full length, phases 1-3 included")
    args = parser.parse_args(argv)
    injected = {name: parse_value(value) for name, value in (item.split("=", 1) for item in args.set)}
    sources = ([notebook_dir() / name for name in args.notebooks] if args.notebooks
               else [notebook_dir() / f"{row.notebook}.ipynb" for row in PHASES])
    here = platform_record(pick_device("auto"))
    print(f"this platform: {describe(here)}", flush=True)
    passed, failed = 0, 0
    with tempfile.TemporaryDirectory(prefix="regress-") as tmp:
        root = Path(tmp)
        copies, rerun = root / "notebooks", root / "results"
        copies.mkdir()
        rerun.mkdir()
        sanitize, sanitize_prefix = root / "sanitize.cfg", root / "sanitize_prefix.cfg"
        sanitize.write_text(SANITIZE)
        sanitize_prefix.write_text(SANITIZE + SANITIZE_EPOCHS)
        rows = [next(row for row in PHASES if row.notebook == source.stem) for source in sources]
        copy_records(rerun, [row.number for row in rows])  # what a notebook reads; its own result only it may write
        exact = {row.number: load(result_file(row.number)).get("platform") == here for row in rows}
        prefix = {row.number: None if args.full or "epochs" in injected or not exact[row.number]
                  else prefix_epochs(row.recipe) for row in rows}
        # Where the recording platform is this one, each notebook runs alone with the recorded threads, so that the
        # same seed gives the same numbers; elsewhere only the tolerance can be checked, so two run at a time, one
        # thread each (the faster layout on 2 cores), longest first.
        parallel = [row for row in rows if not exact[row.number]]
        cores = os.cpu_count() or 1
        workers, threads = (2, max(1, cores // 2)) if cores >= 2 and len(parallel) > 1 else (1, None)

        def one(row):
            source = sources[rows.index(row)]
            start = time.perf_counter()
            shorter = prefix[row.number]
            parameters = {**injected, **({"epochs": shorter} if shorter else {})}
            checked_as = sanitize_prefix if shorter else (None if exact[row.number] else sanitize)
            ok, output = _nbval(_copy(source, copies, parameters), root, checked_as,
                                None if exact[row.number] else threads)
            return row, ok, output, time.perf_counter() - start

        def report(row, nbval_ok, output, seconds):
            nonlocal passed, failed
            recorded = load(result_file(row.number))
            mode = _mode(prefix[row.number], exact[row.number], recorded.get("platform"))
            print(f"\n=== {sources[rows.index(row)].name}: nbval {mode} ===\n{output.rstrip()}", flush=True)
            checks = (check_notebook(row.number, results_dir(), rerun, prefix=bool(prefix[row.number]))
                      if (rerun / result_file(row.number)).exists() else [])
            for check in checks:
                print(f"  {check.status:17s} {check.name}: {check.detail}")
            bad = (not nbval_ok) + sum(check.failed for check in checks)
            passed += 1 + len(checks) - bad
            failed += bad
            print(f"=== {sources[rows.index(row)].name}: nbval {'passed' if nbval_ok else 'FAILED'}, "
                  f"{sum(c.status != FAIL for c in checks)} of {len(checks)} result checks passed, "
                  f"{seconds:.0f} s ===", flush=True)

        for row in (row for row in rows if exact[row.number]):
            report(*one(row))
        if parallel:
            print(f"\n{len(parallel)} notebook(s) on another platform than their record: {workers} at a time, "
                  f"{threads or 'all'} thread(s) each", flush=True)
            with ThreadPoolExecutor(max_workers=workers) as pool:
                for result in [pool.submit(one, row) for row in parallel]:
                    report(*result.result())
    print(f"\nregression: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
