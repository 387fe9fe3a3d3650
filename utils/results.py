"""What a run leaves behind: the verdict against the mission, tables, and atomically written results and figures."""

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import torch

from .machine import platform_record
from .paths import results_dir as results_dir_of_project
from .runs import RUN_KEYS
from .train import History

MAX_PARAMS = 8000     # the mission: fewer than this many parameters,
MAX_EPOCHS = 15       # at most this many epochs,
TARGET_ACC = 99.40    # and at least this test accuracy (percent)
HOLD_EPOCHS = 5       # in each of this many last epochs.
GOAL_PARAMS = 4000    # phase 5's goal: at most this many parameters, holding the mission on every seed studied;
STRETCH_PARAMS = 3000  # and its stretch goal.

# The seed write-up's own numbers (params, best train acc, best test acc), shown beside ours, never mixed with them.
SEED_REPORTED = {1: (7896, 99.04, 98.88), 2: (7974, 99.43, 99.21), 3: (7753, 98.72, 99.30), 4: (7753, 98.75, 99.47)}


@dataclass(frozen=True)
class Verdict:
    lines: list[str]
    met: bool

    def __str__(self) -> str:
        return "\n".join(self.lines + [f"mission {'MET' if self.met else 'NOT MET'}"])


def verdict(params: int, history: History) -> Verdict:
    """Checks the recorded history against the mission: < 8000 params, <= 15 epochs, >= 99.40% in each of the last 5."""
    last = history.test_acc[-HOLD_EPOCHS:]
    held = len(last) == HOLD_EPOCHS and min(last) >= TARGET_ACC
    checks = [
        (params < MAX_PARAMS, f"parameters {params:,} < {MAX_PARAMS:,}"),
        (history.epochs <= MAX_EPOCHS, f"epochs {history.epochs} <= {MAX_EPOCHS}"),
        (held, f"test accuracy >= {TARGET_ACC:.2f}% in each of the last {HOLD_EPOCHS} epochs: "
               f"{', '.join(f'{a:.2f}' for a in last)}"
               + ("" if len(last) == HOLD_EPOCHS else f" (only {len(last)} epochs run)")),
    ]
    return Verdict([f"{'met    ' if ok else 'not met'}  {text}" for ok, text in checks], all(ok for ok, _ in checks))


def history_markdown(history: History) -> str:
    """The per-epoch history as a markdown table."""
    lines = ["| epoch | lr | train loss | train acc (%) | test loss | test acc (%) | seconds |",
             "|---:|---:|---:|---:|---:|---:|---:|"]
    for i in range(history.epochs):
        lines.append(f"| {i + 1} | {history.lr[i]:.5f} | {history.train_loss[i]:.4f} | {history.train_acc[i]:.2f} | "
                     f"{history.test_loss[i]:.4f} | {history.test_acc[i]:.2f} | {history.seconds[i]:.1f} |")
    return "\n".join(lines)


RUN_ONLY = (*RUN_KEYS, "results_dir", "image_dir")  # a config's keys that are not the recipe


def recipe_of(config: dict) -> dict:
    """The part of a run's config that defines the recipe (``utils.recipes``), JSON-ready: no seed, data or device."""
    return json.loads(json.dumps({k: v for k, v in config.items() if k not in RUN_ONLY}))


def run_of(config: dict) -> dict:
    """Where and how the run happened, apart from the platform: seed, split, pipeline, limits."""
    return {k: config[k] for k in ("seed", "split", "pipeline", "limit_train", "limit_test") if k in config}


def result_record(phase: int, params: int, config: dict, history: History, device) -> dict:
    """The machine-readable result of one run (accuracies in percent, lists per epoch) and the platform it ran on."""
    return {
        "phase": phase, "params": params, "epochs": history.epochs, "seed": config["seed"],
        "batch_size": config["batch_size"], "lr": config["lr"],
        "test_acc": history.test_acc, "train_acc": history.train_acc,
        "test_loss": history.test_loss, "train_loss": history.train_loss,
        "lr_per_epoch": history.lr, "seconds_per_epoch": history.seconds,
        "device": str(device), "torch": torch.__version__, "wall_time_s": round(sum(history.seconds), 1),
        "recipe": recipe_of(config), "run": run_of(config), "platform": platform_record(device),
    }


def _write_atomically(path: Path, write) -> None:
    """``write(tmp_path)`` into a temp file beside ``path``, then rename over it: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def write_json(path: Path, data: dict) -> None:
    _write_atomically(Path(path), lambda tmp: Path(tmp).write_text(json.dumps(data, indent=1) + "\n"))


def save_run(results_dir, image_dir, phase: int, record: dict, model=None, figures: dict | None = None,
             extra: dict | None = None) -> list[Path]:
    """Write ``phase{N}.json``, ``phase{N}.pt`` (the model's state_dict), extra JSON files and the figures, each atomically.

    Called once, in a notebook's last cell, so a run that fails or is interrupted earlier changes nothing on disk.
    Returns the paths written.
    """
    results_dir, image_dir = Path(results_dir), Path(image_dir)
    written = []
    for name, data in {f"phase{phase}.json": record, **(extra or {})}.items():
        write_json(results_dir / name, data)
        written.append(results_dir / name)
    if model is not None:
        state = {k: v.detach().cpu() for k, v in model.state_dict().items()}
        _write_atomically(results_dir / f"phase{phase}.pt", lambda tmp: torch.save(state, tmp))
        written.append(results_dir / f"phase{phase}.pt")
    for name, fig in (figures or {}).items():
        target = image_dir / f"{name}.png"
        # metadata without the matplotlib version/date keeps the PNG byte-stable between identical runs
        _write_atomically(target, lambda tmp, fig=fig: fig.savefig(tmp, format="png", dpi=100, metadata={"Software": None}))
        written.append(target)
    return written


def load_result(results_dir, phase: int, recorded_if_missing: bool = False) -> dict | None:
    """``phase{N}.json`` from ``results_dir`` (None: the project's results/); where it is missing there and
    ``recorded_if_missing``, the project's recorded one (a smoke run compares itself with the recorded phases)."""
    path = Path(results_dir or results_dir_of_project()) / f"phase{phase}.json"
    if not path.exists() and recorded_if_missing:
        path = results_dir_of_project() / f"phase{phase}.json"
    return json.loads(path.read_text()) if path.exists() else None


def _summary_row(record: dict) -> dict:
    last = record["test_acc"][-HOLD_EPOCHS:]
    return dict(params=record["params"], best_train=max(record["train_acc"]), best_test=max(record["test_acc"]),
                final_test=record["test_acc"][-1], min_last=min(last), epochs=record["epochs"])


def comparison_markdown(record: dict, previous: dict | None) -> str:
    """This run against the previous phase's recorded run and against the seed's reported numbers."""
    phase, row = record["phase"], _summary_row(record)
    lines = ["| run | params | best train acc | best test acc | final test acc | min test acc, last 5 |",
             "|---|---:|---:|---:|---:|---:|"]
    if phase in SEED_REPORTED:  # phase 5 goes beyond the seed's write-up: nothing reported to compare with
        seed_params, seed_train, seed_test = SEED_REPORTED[phase]
        lines.append(f"| seed write-up, phase {phase} (reported) | {seed_params:,} | {seed_train:.2f} | "
                     f"{seed_test:.2f} | | |")
    lines.append(f"| **this run, phase {phase}** | {row['params']:,} | {row['best_train']:.2f} | "
                 f"{row['best_test']:.2f} | {row['final_test']:.2f} | {row['min_last']:.2f} |")
    if previous is not None:
        prev = _summary_row(previous)
        lines.append(f"| recorded run, phase {previous['phase']} | {prev['params']:,} | {prev['best_train']:.2f} | "
                     f"{prev['best_test']:.2f} | {prev['final_test']:.2f} | {prev['min_last']:.2f} |")
        lines.append(f"| change vs phase {previous['phase']} | {row['params'] - prev['params']:+,} | "
                     f"{row['best_train'] - prev['best_train']:+.2f} | {row['best_test'] - prev['best_test']:+.2f} | "
                     f"{row['final_test'] - prev['final_test']:+.2f} | {row['min_last'] - prev['min_last']:+.2f} |")
    gap = row["best_train"] - row["best_test"]
    if gap > 0:
        reading = "train above test: the model fits its training data better than it generalises"
    elif record["recipe"].get("augment") is not None:
        reading = ("test above train: augmentation makes the training batches harder than the test set, and the "
                   "train figure averages an epoch during which the weights were still changing")
    else:
        reading = ("test above train, with no augmentation: the train figure averages an epoch during which the "
                   "weights were still changing, the test figure is taken at its end")
    lines.append(f"\nBest train minus best test accuracy: {gap:+.2f} points ({reading}).")
    return "\n".join(lines)
