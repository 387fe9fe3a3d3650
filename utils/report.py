"""The README's generated sections, rebuilt from ``results/*.json`` (never typed by hand)."""

import json
import re
from pathlib import Path

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


def replace_section(text: str, name: str, body: str) -> str:
    """Replace what stands between ``<!-- name:start -->`` and ``<!-- name:end -->``."""
    pattern = re.compile(rf"(<!-- {name}:start -->\n).*?(\n<!-- {name}:end -->)", re.S)
    if not pattern.search(text):
        raise ValueError(f"README has no '<!-- {name}:start -->' ... '<!-- {name}:end -->' markers")
    return pattern.sub(lambda m: m.group(1) + body + m.group(2), text)


def update_readme(readme, results_dir) -> None:
    readme = Path(readme)
    text = replace_section(readme.read_text(), "results", results_table(results_dir))
    text = replace_section(text, "seed-study", study_table(results_dir))
    readme.write_text(text)
