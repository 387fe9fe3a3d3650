"""The README's generated sections, rebuilt from ``results/*.json`` and ``utils/recipes.py`` (never typed by hand)."""

import json
import re
from pathlib import Path

from .machine import describe
from .paths import results_dir as results_dir_of_project
from .models import build_model, count_parameters
from .receptive_field import layer_table, table_markdown
from .recipes import changes_markdown
from .regression import phase_runs, spread_tolerance
from .results import GOAL_PARAMS, HOLD_EPOCHS, SEED_REPORTED, TARGET_ACC, load_result
from .study import goal_met, held_line
from .trials import trials_markdown

PHASE_NAMES = {1: "baseline", 2: "+ BatchNorm", 3: "+ GAP, augmentation, higher LR",
               4: "+ LR schedule and the trials' levers", 5: "beyond the seed: a smaller model, chosen on validation digits"}
NOTEBOOKS = {1: "01_baseline", 2: "02_batchnorm", 3: "03_gap_augmentation", 4: "04_lr_scheduler",
             5: "05_smallest_model"}


def _load(results_dir, name: str) -> dict | None:
    path = Path(results_dir) / name
    return json.loads(path.read_text()) if path.exists() else None


def phases_table() -> str:
    """Each phase, its notebook and exactly what it changes against the one before (from the recipes)."""
    lines = ["| phase | notebook | what it changes (from `utils/recipes.py`) | params |", "|---|---|---|---:|"]
    for phase, name in PHASE_NAMES.items():
        changes = changes_markdown(phase).replace("\n", "<br>").replace("- ", "", 1).replace("<br>- ", "<br>")
        params = count_parameters(build_model(phase))
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
        seed = SEED_REPORTED.get(phase)
        reported = f"{seed[1]:.2f} / {seed[2]:.2f}" if seed else "- (beyond the write-up)"
        lines.append(f"| {phase}. {name} | {record['params']:,} | {record['epochs']} | {max(record['train_acc']):.2f} | "
                     f"{max(record['test_acc']):.2f} | {record['test_acc'][-1]:.2f} | {low:.2f} | "
                     f"{'yes' if low >= TARGET_ACC else 'no'} | {reported} | "
                     f"{record['wall_time_s']:.0f} s on {record['device']} |")
    record = load_result(results_dir, 1)
    if record is not None:
        lines.append(f"\nRecorded on {describe(record['platform'])}.")
    return "\n".join(lines)


def study_table(results_dir) -> str:
    """The seed studies of phases 4 and 5: each recipe, how many seeds held, and their spread."""
    lines = [f"| phase | recipe | params | seeds | held >= {TARGET_ACC:.2f}% in each of the last {HOLD_EPOCHS} | "
             f"mean final | std final | worst last-{HOLD_EPOCHS} minimum |", "|---|---|---:|---:|---:|---:|---:|---:|"]
    goal = ""
    for phase in (4, 5):
        study = _load(results_dir, f"phase{phase}_seeds.json")
        if study is None:
            lines.append(f"| {phase} | _not run yet_ | | | | | | |")
            continue
        for index, entry in enumerate(study["recipes"]):
            s = entry["summary"]
            params = count_parameters(build_model(entry["recipe"]["model"]))
            lines.append(f"| {phase} | {entry['name']} | {params:,} | {s['seeds']} | {s['held']} of {s['seeds']} | "
                         f"{s['mean_final']:.2f} | {s['std_final']:.2f} | {s['worst_min_last']:.2f} |")
            if phase == 5 and index == 0:  # phase 5's own model: its goal
                goal = (f"\n\nPhase 5's goal (at most {GOAL_PARAMS:,} parameters, holding on every seed): "
                        f"**{'MET' if goal_met(params, s) else 'NOT MET'}** ({params:,} parameters; {held_line(s)}).")
    return "\n".join(lines) + goal


def trials_section(results_dir) -> str:
    record = _load(results_dir, "phase4_trials.json")
    return trials_markdown(record) if record else "_`make trials` has not been run yet._"


def search_section(results_dir) -> str:
    record = _load(results_dir, "phase5_search.json")
    return trials_markdown(record) if record else "_`make search` has not been run yet._"


def series_points(results_dir=None, studies: dict | None = None) -> list[tuple[str, int, float]]:
    """Every recorded test-set run of the series as ``(label, params, last-5 minimum)``: phases 1-3's headline runs
    and their other seeds (``results/spread.json``), phases 4 and 5's seed studies (headline seed included).

    ``studies`` (phase -> study record) stands in for a phase's ``phase{N}_seeds.json`` (the notebook's own study,
    not saved yet); a file missing from ``results_dir`` is read from the project's ``results/`` (a smoke run)."""
    def folder(name):
        here = Path(results_dir or results_dir_of_project())
        return here if (here / name).exists() else results_dir_of_project()

    points = []
    for phase in (1, 2, 3):
        record = load_result(results_dir, phase, recorded_if_missing=True)
        if record is None:
            continue
        runs = phase_runs(phase, folder(f"phase{phase}.json"))  # the headline and its distinct other seeds
        points += [(f"phase {phase}", record["params"], min(acc[-HOLD_EPOCHS:])) for acc in runs]
    for phase in (4, 5):
        study = (studies or {}).get(phase) or _load(folder(f"phase{phase}_seeds.json"), f"phase{phase}_seeds.json")
        for index, entry in enumerate((study or {}).get("recipes", [])):
            params = count_parameters(build_model(entry["recipe"]["model"]))
            label = f"phase {phase}" if index == 0 else f"phase {phase}, {entry['name']}"
            points += [(label, params, run["min_last"]) for run in entry["runs"]]
    return points


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
            "trials": trials_section(results_dir), "search": search_section(results_dir), "tolerances": tolerance_table(results_dir),
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
