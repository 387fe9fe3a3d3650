"""``make regress`` (the long part of ``make test``): re-execute copies of the committed notebooks and compare.

    python -m utils.commands.regress [--set NAME=VALUE ...] [NOTEBOOK ...]   # default: every phase's notebook

``--set`` injects a parameter into every copy (e.g. ``--set epochs=1 --set limit_train=512`` checks a smoke-run
record made with the same values; the recorded results must then come from such a run).

Each copy runs in a temporary folder that keeps the repository's layout, so its ``../results`` and ``../image`` land
there and the committed files are never touched (the recorded JSON files are copied there first, for what a
notebook reads of the phases before it). Two checks per notebook:

1. nbval (``--nbval-lax``) compares the cells marked ``# NBVAL_CHECK_OUTPUT``. On the platform that recorded the
   notebook it compares them exactly; elsewhere accuracies and met / not met words are masked (``SANITIZE``), so
   it checks the text only: model summaries, receptive-field tables, the verdict's form.
2. ``utils.checks.regression.check_notebook`` compares the re-run's results file with the recorded one: exactly on the
   recording platform, within the phase's tolerance elsewhere.

A notebook with a seed study re-trains only the study seeds in ``STUDY_SPOT_CHECK`` (its headline seed is the
notebook's own run), each compared with its recorded curve.
"""

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from papermill.iorw import load_notebook_node
from papermill.parameterize import parameterize_notebook

from ..checks.regression import FAIL, check_notebook
from ..core.machine import describe, platform_record
from ..core.runtime import pick_device
from ..paths import notebook_dir, results_dir
from ..phases import PHASES
from ..records import load
from .run import parse_value

CELL_TIMEOUT_S = 3600
STUDY_SPOT_CHECK = {"study_seeds": [2]}  # injected into the copy of every notebook with a seed study
SANITIZE = """\
[accuracy]
regex: \\d+\\.\\d\\d
replace: D.DD
[verdict-line]
regex: (not met|met    )  
replace: VERDICT  
[mission]
regex: mission (MET|NOT MET)
replace: mission VERDICT
"""


def _copy(source: Path, folder: Path, parameters: dict) -> Path:
    nb = load_notebook_node(str(source))  # as papermill reads it: with the metadata its parameterizer expects
    if parameters:
        nb = parameterize_notebook(nb, parameters)
    target = folder / source.name
    nbformat.write(nb, target)
    return target


def _nbval(notebook: Path, root: Path, sanitize: Path | None) -> bool:
    args = [sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-current-env",
            f"--nbval-cell-timeout={CELL_TIMEOUT_S}", "-p", "no:cacheprovider", f"--rootdir={root}", "-q",
            str(notebook)]
    if sanitize is not None:
        args += ["--nbval-sanitize-with", str(sanitize)]
    return subprocess.run(args).returncode == 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", help="default: every phase's notebook, in order")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="inject a parameter")
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
        for recorded_file in results_dir().glob("*.json"):  # what a notebook reads of the earlier phases
            shutil.copy(recorded_file, rerun / recorded_file.name)
        sanitize = root / "sanitize.cfg"
        sanitize.write_text(SANITIZE)
        for source in sources:
            row = next(row for row in PHASES if row.notebook == source.stem)
            phase = row.number
            recorded = load(f"phase{phase}.json")
            for output in (f"phase{phase}.json", row.study):  # only this re-run may write them
                if output:
                    (rerun / output).unlink(missing_ok=True)
            exact = recorded.get("platform") == here
            mode = "exact" if exact else f"text only (recorded on {describe(recorded['platform'])})" \
                if recorded.get("platform") else "text only (recording platform unknown)"
            print(f"\n=== {source.name}: nbval {mode} ===", flush=True)
            start = time.perf_counter()
            parameters = {**(STUDY_SPOT_CHECK if row.study else {}), **injected}
            nbval_ok = _nbval(_copy(source, copies, parameters), root, None if exact else sanitize)
            checks = check_notebook(phase, results_dir(), rerun) if (rerun / f"phase{phase}.json").exists() else []
            for check in checks:
                print(f"  {check.status:17s} {check.name}: {check.detail}")
            bad = (not nbval_ok) + sum(check.failed for check in checks)
            passed += 1 + len(checks) - bad
            failed += bad
            print(f"=== {source.name}: nbval {'passed' if nbval_ok else 'FAILED'}, "
                  f"{sum(c.status != FAIL for c in checks)} of {len(checks)} result checks passed, "
                  f"{time.perf_counter() - start:.0f} s ===", flush=True)
    print(f"\nregression: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
