"""The README's generated sections, rebuilt from ``results/*.json`` and ``utils/recipes.py`` (never typed by hand)."""

import json
import re
from pathlib import Path

from .machine import describe
from .models import build_model
from .receptive_field import layer_table, table_markdown
from .recipes import changes_markdown
from .regression import phase_runs, spread_tolerance
from .results import HOLD_EPOCHS, SEED_REPORTED, TARGET_ACC, load_result
from .trials import trials_markdown

PHASE_NAMES = {1: "baseline", 2: "+ BatchNorm", 3: "+ GAP, augmentation, higher LR", 4: "+ LR schedule and the trials' levers"}
NOTEBOOKS = {1: "01_baseline", 2: "02_batchnorm", 3: "03_gap_augmentation", 4: "04_lr_scheduler"}


def _load(results_dir, name: str) -> dict | None:
    path = Path(results_dir) / name
    return json.loads(path.read_text()) if path.exists() else None


def phases_table() -> str:
    """Each phase, its notebook and exactly what it changes against the one before (from the recipes)."""
    lines = ["| phase | notebook | what it changes (from `utils/recipes.py`) | params |", "|---|---|---|---:|"]
    for phase, name in PHASE_NAMES.items():
        changes = changes_markdown(phase).replace("\n", "<br>").replace("- ", "", 1).replace("<br>- ", "<br>")
        params = sum(p.numel() for p in build_model(phase).parameters())
        lines.append(f"| {phase}. {name} | [`{NOTEBOOKS[phase]}.ipynb`](notebooks/{NOTEBOOKS[phase]}.ipynb) | "
                     f"{changes} | {params:,} |")
    return "\n".join(lines)


def results_table(results_dir) -> str:
    lines = ["| phase | params | epochs | best train acc | best test acc | final test acc | "
             f"min test acc, last {HOLD_EPOCHS} | held >= {TARGET_ACC:.2f}% | seed reported (train / test) | training time |",
             "|---|---:|---:|---:|---:|---:|---:|:-:|---:|---:|"]
    for phase, name in PHASE_NAMES.items():
        record = load_result(results_dir, phase)
        if record is None:
            lines.append(f"| {phase}. {name} | not run yet | | | | | | | | |")
            continue
        low = min(record["test_acc"][-HOLD_EPOCHS:])
        _, seed_train, seed_test = SEED_REPORTED[phase]
        lines.append(f"| {phase}. {name} | {record['params']:,} | {record['epochs']} | {max(record['train_acc']):.2f} | "
                     f"{max(record['test_acc']):.2f} | {record['test_acc'][-1]:.2f} | {low:.2f} | "
                     f"{'yes' if low >= TARGET_ACC else 'no'} | {seed_train:.2f} / {seed_test:.2f} | "
                     f"{record['wall_time_s']:.0f} s on {record['device']} |")
    record = load_result(results_dir, 1)
    if record is not None:
        lines.append(f"\nRecorded on {describe(record['platform'])}.")
    return "\n".join(lines)


def study_table(results_dir) -> str:
    study = _load(results_dir, "phase4_seeds.json")
    if study is None:
        return "_The seed study has not been run yet._"
    lines = [f"| recipe | seeds | held >= {TARGET_ACC:.2f}% in each of the last {HOLD_EPOCHS} | mean final | std final | "
             f"worst last-{HOLD_EPOCHS} minimum |", "|---|---:|---:|---:|---:|---:|"]
    for entry in study["recipes"]:
        s = entry["summary"]
        lines.append(f"| {entry['name']} | {s['seeds']} | {s['held']} of {s['seeds']} | {s['mean_final']:.2f} | "
                     f"{s['std_final']:.2f} | {s['worst_min_last']:.2f} |")
    return "\n".join(lines)


def trials_section(results_dir) -> str:
    record = _load(results_dir, "phase4_trials.json")
    return trials_markdown(record) if record else "_`make trials` has not been run yet._"


def tolerance_table(results_dir) -> str:
    """Each notebook's regression tolerance and the evidence it comes from."""
    lines = ["| notebook | tolerance (points) | from |", "|---|---:|---|"]
    for phase in PHASE_NAMES:
        try:
            tolerance, how = spread_tolerance(phase_runs(phase, results_dir))
        except (FileNotFoundError, KeyError, ValueError):
            lines.append(f"| {NOTEBOOKS[phase]} | not measured yet | |")
            continue
        lines.append(f"| {NOTEBOOKS[phase]} | {tolerance:.2f} | {how} |")
    return "\n".join(lines)


def model_tables() -> str:
    """The receptive-field/parameter table of each phase's model, computed from the model itself."""
    parts = []
    for phase, name in PHASE_NAMES.items():
        parts.append(f"**Phase {phase}, {name}**\n\n{table_markdown(layer_table(build_model(phase)))}")
    return "\n\n".join(parts)


def bench_table(results_dir) -> str:
    files = sorted(Path(results_dir).glob("bench_*.json"))
    if not files:
        return "_`make bench` has not been run yet._"
    parts = []
    for path in files:
        bench = json.loads(path.read_text())
        lines = [f"Measured with `make bench` on {describe(bench['platform'])} (`results/{path.name}`; batch size "
                 f"{bench['batch_size']}, {bench['steps']} timed steps per variant after a warm-up, in "
                 f"{len(next(iter(bench['rounds'].values())))} interleaved rounds):", "",
                 "| variant | s / epoch, median | rounds |", "|---|---:|---|"]
        lines += [f"| {variant} | {seconds:.2f} | {', '.join(f'{v:.2f}' for v in bench['rounds'][variant])} |"
                  for variant, seconds in bench["per_epoch"].items()]
        lines.append(f"| test-set evaluation (10,000 images) | {bench['eval_seconds']:.2f} | |")
        lines.append(f"\n`{bench['summary']}`")
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


def sections(results_dir) -> dict:
    return {"phases": phases_table(), "results": results_table(results_dir), "seed-study": study_table(results_dir),
            "trials": trials_section(results_dir), "tolerances": tolerance_table(results_dir),
            "model-tables": model_tables(), "bench": bench_table(results_dir)}


def replace_section(text: str, name: str, body: str) -> str:
    """Replace what stands between ``<!-- name:start -->`` and ``<!-- name:end -->``."""
    pattern = re.compile(rf"(<!-- {name}:start -->).*?(<!-- {name}:end -->)", re.S)
    if not pattern.search(text):
        raise ValueError(f"README has no '<!-- {name}:start -->' ... '<!-- {name}:end -->' markers")
    return pattern.sub(lambda m: f"{m.group(1)}\n{body}\n{m.group(2)}", text)


def update_readme(readme, results_dir) -> None:
    """Regenerate every marked section of ``readme`` from ``results_dir``, the recipes and the models."""
    readme = Path(readme)
    text = readme.read_text()
    for name, body in sections(results_dir).items():
        text = replace_section(text, name, body)
    readme.write_text(text)
