"""The README's generated sections, rebuilt from ``results/*.json`` (never typed by hand)."""

import json
import re
from pathlib import Path

from .models import build_model
from .receptive_field import layer_table, table_markdown
from .results import HOLD_EPOCHS, SEED_REPORTED, TARGET_ACC, load_result

PHASE_NAMES = {1: "baseline", 2: "+ BatchNorm", 3: "+ GAP, augmentation, higher LR", 4: "+ LR scheduler"}


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
    return "\n".join(lines)


def study_table(results_dir) -> str:
    path = Path(results_dir) / "phase4_seeds.json"
    if not path.exists():
        return "_The seed study has not been run yet._"
    study = json.loads(path.read_text())
    lines = [f"| recipe | seeds | held >= {TARGET_ACC:.2f}% in each of the last {HOLD_EPOCHS} | mean final | std final | "
             f"worst last-{HOLD_EPOCHS} minimum |", "|---|---:|---:|---:|---:|---:|"]
    for entry in study["recipes"]:
        s = entry["summary"]
        lines.append(f"| {entry['name']} | {s['seeds']} | {s['held']} of {s['seeds']} | {s['mean_final']:.2f} | "
                     f"{s['std_final']:.2f} | {s['worst_min_last']:.2f} |")
    return "\n".join(lines)


def model_tables() -> str:
    """The receptive-field/parameter table of each phase's model, computed from the model itself."""
    parts = []
    for phase, name in PHASE_NAMES.items():
        parts.append(f"**Phase {phase}, {name}**\n\n{table_markdown(layer_table(build_model(phase)))}")
    return "\n\n".join(parts)


def bench_table(results_dir) -> str:
    path = Path(results_dir) / "bench.json"
    if not path.exists():
        return "_`make bench` has not been run yet._"
    bench = json.loads(path.read_text())
    lines = [f"Measured with `make bench` on {bench['machine']} (torch {bench['torch']}, {bench['threads']} threads, "
             f"batch size {bench['batch_size']}, {bench['steps']} timed steps per variant after a warm-up, "
             "best of 3 interleaved rounds):", "",
             "| variant | s / epoch |", "|---|---:|"]
    lines += [f"| {variant} | {seconds:.2f} |" for variant, seconds in bench["per_epoch"].items()]
    lines.append(f"| test-set evaluation (10,000 images) | {bench['eval_seconds']:.2f} |")
    lines.append(f"\n`{bench['summary']}`")
    return "\n".join(lines)


def replace_section(text: str, name: str, body: str) -> str:
    """Replace what stands between ``<!-- name:start -->`` and ``<!-- name:end -->``."""
    pattern = re.compile(rf"(<!-- {name}:start -->).*?(<!-- {name}:end -->)", re.S)
    if not pattern.search(text):
        raise ValueError(f"README has no '<!-- {name}:start -->' ... '<!-- {name}:end -->' markers")
    return pattern.sub(lambda m: f"{m.group(1)}\n{body}\n{m.group(2)}", text)


def update_readme(readme, results_dir) -> None:
    """Regenerate every marked section of ``readme`` from ``results_dir`` and the models."""
    readme = Path(readme)
    text = readme.read_text()
    sections = {"results": results_table(results_dir), "seed-study": study_table(results_dir),
                "model-tables": model_tables(), "bench": bench_table(results_dir)}
    for name, body in sections.items():
        text = replace_section(text, name, body)
    readme.write_text(text)
