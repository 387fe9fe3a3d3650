"""``make run``: execute the notebooks in order with papermill, replacing each committed notebook only on success.

    python -m utils.commands.run [--readme README.md] [-p NAME VALUE ...] [NOTEBOOK ...]
    python -m utils.commands.run --out runs/gpu [-p NAME VALUE ...]   # elsewhere: the committed record stays

Each notebook runs with its own folder as working directory into a temporary file beside it; when it runs through,
its metadata is cleaned (no absolute paths, no timestamps) and it replaces the original. The first failure stops the
series with the notebook's name and the error, leaving that notebook and the later ones as they were.
"""

import argparse
import ast
import logging
import sys
import time
from pathlib import Path

import nbformat
import papermill

from ..experiments.loaders import load_study
from ..paths import notebook_dir, results_dir
from ..phases import PHASES
from ..records import copy_records, write_atomically
from ..report.readme import update_readme


def _replay_carriage_returns(text: str) -> str:
    """What a terminal would show: on each line, only the text after its last carriage return."""
    return "\n".join(line.rsplit("\r", 1)[-1] for line in text.split("\n"))


def _merge_streams(outputs: list) -> list:
    """Consecutive stream outputs of one name (stdout, stderr) as one output."""
    merged = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if (output.get("output_type") == "stream" and previous is not None
                and previous.get("output_type") == "stream" and previous["name"] == output["name"]):
            previous["text"] += output["text"]
        else:
            merged.append(output)
    return merged


def _clean_outputs(outputs: list) -> list:
    """Replay carriage returns in streams (progress bars), drop what is left blank, merge what then touches."""
    outputs = _merge_streams(outputs)
    for output in outputs:
        if output.get("output_type") == "stream":
            output["text"] = _replay_carriage_returns(output["text"])
    return _merge_streams([o for o in outputs if o.get("output_type") != "stream" or o["text"].strip()])


def clean_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop papermill's and nbclient's run metadata (paths, timestamps) and settle progress-bar output."""
    nb.metadata.pop("papermill", None)
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if not cell.metadata.get("tags", True):  # papermill adds empty tag lists
            cell.metadata.pop("tags")
        if cell.cell_type == "code":
            cell.outputs = _clean_outputs(cell.outputs)
    return nb


def parse_value(text: str):
    """A ``-p`` value as papermill's CLI reads it: a Python literal where it is one (3, 0.1, None), else the string."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def run_notebook(path: Path, parameters: dict, target: Path | None = None) -> None:
    """Execute ``path`` into ``target`` (default: in place), through a temp file; raises papermill's error on failure,
    leaving ``target`` untouched."""
    def execute(tmp):
        papermill.execute_notebook(str(path), tmp, parameters=parameters or None, kernel_name="python3",
                                   cwd=str(path.parent), log_output=True, progress_bar=False)
        nbformat.write(clean_notebook(nbformat.read(tmp, as_version=4)), tmp)

    write_atomically(target or path, execute, prefix=f".{path.stem}.", suffix=".running.ipynb")


def run_series(notebooks: list[Path], parameters: dict, readme: Path | None, results_dir: Path,
               out: Path | None = None) -> int:
    """Run ``notebooks`` in order; returns a process exit code (0 when all ran through). With ``out``, the executed
    notebooks, results and figures go to ``out/notebooks``, ``out/results`` and ``out/image`` instead of replacing
    the committed ones."""
    for row in (row for row in PHASES if row.study and any(path.stem == row.notebook for path in notebooks)):
        try:  # a notebook shows its phase's recorded study: a missing or stale one stops the series now, not hours in
            load_study(row.number)
        except (FileNotFoundError, ValueError) as error:
            print(f"\nNOT STARTED: notebook {row.notebook} shows a seed study that is not ready: {error}",
                  file=sys.stderr)
            return 1
    if out is not None:
        for name in ("notebooks", "results", "image"):
            (out / name).mkdir(parents=True, exist_ok=True)
        parameters = {"results_dir": str((out / "results").resolve()), "image_dir": str((out / "image").resolve()),
                      **parameters}
        written = [row.number for row in PHASES if any(path.stem == row.notebook for path in notebooks)]
        copy_records(out / "results", written, results_dir)  # the studies, the spread, the trials: read, not written
    for index, path in enumerate(notebooks, start=1):
        print(f"\n=== [{index}/{len(notebooks)}] {path.name} ===", flush=True)
        start = time.perf_counter()
        try:
            run_notebook(path, parameters, out / "notebooks" / path.name if out is not None else None)
        except papermill.PapermillExecutionError as error:
            print(f"\nFAILED: {path.name}, cell {error.exec_count}: {error.ename}: {error.evalue}\n"
                  f"{path.name} and the notebooks after it were left as they were.", file=sys.stderr)
            return 1
        print(f"=== {path.name} ran through in {time.perf_counter() - start:.0f} s ===", flush=True)
    if readme is not None:
        update_readme(readme, results_dir)
        print(f"updated the results tables in {readme}")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every phase's notebook, in order")
    parser.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"))
    parser.add_argument("--readme", type=Path, help="regenerate this README's results tables afterwards")
    parser.add_argument("--results-dir", type=Path, default=None, help="default: <project>/results")
    parser.add_argument("--out", type=Path, default=None, help="write the executed notebooks, results and figures "
                        "under this folder instead of replacing the committed ones (e.g. a GPU run)")
    args = parser.parse_args(argv)
    if args.out is not None and args.readme is not None:
        parser.error("--out keeps the committed record as it is: it cannot be combined with --readme")
    logging.basicConfig(level=logging.INFO, format="%(message)s")  # papermill streams cell output through logging
    notebooks = args.notebooks or [notebook_dir() / f"{row.notebook}.ipynb" for row in PHASES]
    parameters = {name: parse_value(value) for name, value in args.parameter}
    return run_series(notebooks, parameters, args.readme, args.results_dir or results_dir(), args.out)


if __name__ == "__main__":
    sys.exit(main())
