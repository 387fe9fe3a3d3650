"""What runs leave behind, in one schema: a run's result, one row per seed, one summary, one load, one atomic write.

- ``result_record``: a notebook's headline run (``results/phase{N}.json``), per-epoch lists and the platform.
- ``run_row``: one seed's run inside a seed study, a trial or a search (``results/*_seeds.json``, ``*_trials*.json``,
  ``phase5_search.json``, ``spread.json``): ``acc`` is the per-epoch accuracy on the split the file names (test or
  validation digits).
- ``summarize``: the summary of several seeds' rows, the same everywhere; ``entry_params``: the size of the model an
  entry of a study or a search trained.
- ``load`` / ``write_json``: every JSON file of ``results/`` is read and written by these two (``load_benches``: the
  bench files); ``write_atomically`` is the one writer of any file that must never be seen half written.
- ``as_recorded``: a value as a record holds it once written and read back (tuples become lists).
"""

import json
import os
import statistics
import tempfile
from pathlib import Path

import torch

from .core.machine import platform_record
from .core.models import build_model, count_parameters
from .core.runs import RUN_KEYS
from .goal import TARGET_ACC, last5_min
from .paths import results_dir as project_results
from .phases import WRITTEN_BY, result_file

RUN_ONLY = (*RUN_KEYS, "results_dir", "image_dir")  # a notebook config's keys that are not the recipe


def run_row(seed: int, accuracy: list[float], seconds: float | None = None, platform: dict | None = None) -> dict:
    """One seed's run: its per-epoch accuracy and what the target reads from it."""
    reached = [epoch for epoch, acc in enumerate(accuracy, start=1) if acc >= TARGET_ACC]
    row = {"seed": seed, "acc": accuracy, "min_last": last5_min(accuracy), "final": accuracy[-1],
           "best": max(accuracy), "first_epoch_at_target": reached[0] if reached else None}
    if seconds is not None:
        row["seconds"] = round(seconds, 1)
    if platform is not None:
        row["platform"] = platform
    return row


def summarize(rows: list[dict]) -> dict:
    """Several seeds' rows: how many held, and the mean, standard error, spread and worst of the last-5 minimum."""
    lows, finals = [row["min_last"] for row in rows], [row["final"] for row in rows]
    std_low = statistics.stdev(lows) if len(lows) > 1 else 0.0
    return {"seeds": len(rows), "held": sum(low >= TARGET_ACC for low in lows),
            "mean_min_last": statistics.fmean(lows), "se_min_last": std_low / len(lows) ** 0.5,
            "std_min_last": std_low, "worst_min_last": min(lows), "mean_final": statistics.fmean(finals),
            "std_final": statistics.stdev(finals) if len(finals) > 1 else 0.0}


def entry_params(entry: dict) -> int:
    """The trainable parameters of the model that an entry of a seed study or a search trained (its recipe's)."""
    return count_parameters(build_model(entry["recipe"]["model"]))


def as_recorded(value):
    """``value`` as a results file holds it once written and read back: tuples become lists, keys strings."""
    return json.loads(json.dumps(value))


def recipe_of(config: dict) -> dict:
    """The part of a run's config that defines the recipe (``utils.recipes``), JSON-ready: no seed, data or device."""
    return as_recorded({k: v for k, v in config.items() if k not in RUN_ONLY})


def result_record(phase: int, params: int, config: dict, history, device) -> dict:
    """The machine-readable result of one notebook run (accuracies in percent, lists per epoch) and its platform."""
    return {
        "phase": phase, "params": params, "epochs": history.epochs, "seed": config["seed"],
        "batch_size": config["train"]["batch_size"], "lr": config["optimizer"]["lr"],
        "test_acc": history.test_acc, "train_acc": history.train_acc,
        "test_loss": history.test_loss, "train_loss": history.train_loss,
        "lr_per_epoch": history.lr, "seconds_per_epoch": history.seconds,
        "device": str(device), "torch": torch.__version__, "wall_time_s": round(sum(history.seconds), 1),
        "recipe": recipe_of(config),
        "run": {k: config[k] for k in ("seed", "split", "pipeline", "limit_train", "limit_test") if k in config},
        "platform": platform_record(device),
    }


def load(name: str, results_dir=None, required: bool = True) -> dict | None:
    """``results/<name>`` (or ``results_dir``'s) as recorded; a missing file is None, or, when ``required``, an error
    that names the command that writes it."""
    path = Path(results_dir or project_results()) / name
    if path.exists():
        return json.loads(path.read_text())
    if required:
        command = WRITTEN_BY.get(name, "make run")
        raise FileNotFoundError(f"no {name} at {path}: run `{command}` first")
    return None


def load_benches(results_dir=None) -> list[tuple[str, dict]]:
    """Every ``results/bench_*.json`` (``make bench``, one per kind of device) as ``(file name, record)``, by name."""
    return [(path.name, load(path.name, path.parent))
            for path in sorted(Path(results_dir or project_results()).glob("bench_*.json"))]


def stages_of(record: dict) -> dict[str, dict]:
    """A round's stages as ``{number: {"seeds": [...], "candidates": [...]}}``: the experiment driver's shape, or
    rounds 2-3's, whose seeds sit apart in ``stage_seeds``."""
    seeds = record.get("stage_seeds", {})
    return {number: stage if isinstance(stage, dict) else {"seeds": seeds.get(number), "candidates": stage}
            for number, stage in record.get("stages", {}).items()}


def what_of(candidate: dict) -> str:
    """What a round's candidate is, in words; a base without words is the recipe its round started from."""
    if candidate.get("what"):
        return candidate["what"]
    return f"the reference, {candidate['source']}" if "source" in candidate else "the recipe the round started from"


def load_result(results_dir, phase: int, recorded_if_missing: bool = False) -> dict | None:
    """``phase{N}.json`` from ``results_dir`` (None: the project's results/); where it is missing there and
    ``recorded_if_missing``, the project's recorded one (a smoke run compares itself with the recorded phases)."""
    name = result_file(phase)
    found = load(name, results_dir, required=False)
    if found is None and recorded_if_missing:
        found = load(name, None, required=False)
    return found


def copy_records(target: Path, written: list[int], source=None) -> None:
    """Copy into ``target`` each record of ``source`` (the project's ``results/``) that ``target`` lacks, except the
    results of the phases in ``written``, which only the run about to start may write: a series run into a folder
    of its own (``make run OUT=...``, ``make regress``) reads the same studies, spread and trials as one in the
    project."""
    skip = {result_file(number) for number in written}
    source = Path(source or project_results())
    for path in source.rglob("*.json"):  # results/past/ too: finished rounds and earlier studies
        name = path.relative_to(source)
        if str(name) not in skip and not (target / name).exists():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            (target / name).write_bytes(path.read_bytes())


def write_atomically(path: Path, write, prefix: str | None = None, suffix: str = ".tmp") -> None:
    """``write(tmp_path)`` into a temp file beside ``path`` (named ``prefix``...``suffix``), then rename over it:
    readers never see half a file, and a ``write`` that raises leaves ``path`` as it was."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=prefix or f".{path.name}.", suffix=suffix)
    os.close(handle)
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def write_json(path: Path, data: dict) -> None:
    write_atomically(Path(path), lambda tmp: Path(tmp).write_text(json.dumps(data, indent=1) + "\n"))


def save_run(results_dir, image_dir, phase: int, record: dict, model=None, figures: dict | None = None,
             extra: dict | None = None) -> list[Path]:
    """Write ``phase{N}.json``, ``phase{N}.pt`` (the model's state_dict), extra JSON files and the figures, each
    atomically.

    Called once, in a notebook's last cell, so a run that fails or is interrupted earlier changes nothing on disk.
    Returns the paths written.
    """
    results_dir, image_dir = Path(results_dir), Path(image_dir)
    written = []
    for name, data in {result_file(phase): record, **(extra or {})}.items():
        write_json(results_dir / name, data)
        written.append(results_dir / name)
    if model is not None:
        state = {k: v.detach().cpu() for k, v in model.state_dict().items()}
        write_atomically(results_dir / result_file(phase, "pt"), lambda tmp: torch.save(state, tmp))
        written.append(results_dir / result_file(phase, "pt"))
    for name, fig in (figures or {}).items():
        target = image_dir / f"{name}.png"
        # metadata without the matplotlib version/date keeps the PNG byte-stable between identical runs
        write_atomically(target, lambda tmp, fig=fig: fig.savefig(tmp, format="png", dpi=100,
                                                                  metadata={"Software": None}))
        written.append(target)
    return written
