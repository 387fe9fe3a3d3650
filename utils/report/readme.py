"""The README's generated sections, rebuilt from ``results/*.json`` and ``utils/recipes.py`` (never typed by hand)."""

import statistics
import re
from pathlib import Path

from ..checks.regression import phase_runs, spread_tolerance
from ..core.machine import describe
from ..core.models import build_model
from ..goal import HOLD_EPOCHS, TARGET_ACC, last5_min
from ..paths import results_dir as results_dir_of_project
from ..phases import PHASES, result_file
from ..records import WRITTEN_BY, entry_params, load, load_benches, load_result
from .receptive_field import layer_table, table_markdown
from .recipes import changes_markdown
from .tables import bench_summary, powered_trials_markdown, trials_markdown
from .verdicts import frontier_table, goal_answer, status_line, test_set_table


def _load(results_dir, name: str) -> dict | None:
    return load(name, results_dir, required=False)


def phases_table() -> str:
    """Each phase, its notebook and exactly what it changes against the one before (from the recipes)."""
    lines = ["| phase | notebook | what it changes (from `utils/recipes.py`) | params |", "|---|---|---|---:|"]
    for row in PHASES:
        changes = changes_markdown(row.number).replace("\n", "<br>").replace("- ", "", 1).replace("<br>- ", "<br>")
        lines.append(f"| {row.number}. {row.title} | [`{row.notebook}.ipynb`](notebooks/{row.notebook}.ipynb) | "
                     f"{changes} | {row.params:,} |")
    return "\n".join(lines)


def status_table(results_dir) -> str:
    """The README's first screen: one sentence on the series, each phase against the target over its seed study (or,
    without one, its recorded runs), then phase 5's goal answered."""
    lines = ["| phase | params | the target over seeds |", "|---|---:|---|"]
    met, goals = [], []
    for row in PHASES:
        study = _load(results_dir, row.study) if row.study else None
        try:
            runs = [] if study else phase_runs(row.number, results_dir)
        except (FileNotFoundError, KeyError, ValueError):
            lines.append(f"| {row.number}. {row.title} | {row.params:,} | not recorded yet |")
            continue
        meets, line = status_line(study, runs)
        met += [str(row.number)] if meets else []
        lines.append(f"| {row.number}. {row.title} | {row.params:,} | {line} |")
        if row.goal and study:
            goals.append(goal_answer(study, f"Phase {row.number}'s goal"))
    others = "" if len(met) == len(PHASES) else "; the others do not"
    verdict = ("**No phase meets the target yet.**" if not met else
               f"**Phase {met[0]} meets the target{others}.**" if len(met) == 1 else
               f"**Phases {', '.join(met[:-1])} and {met[-1]} meet the target{others}.**")
    return f"{verdict}\n\n" + "\n".join(lines) + "".join(f"\n\n{goal}" for goal in goals)


SLOW_EPOCH = 3  # an epoch this many times the run's median epoch is a slow spell, named as such


def run_time(results_dir) -> str:
    """How long the recorded series trained, from its records (the notebooks' other cells add about a minute each)."""
    records = [record for row in PHASES if (record := load_result(results_dir, row.number))]
    if not records:
        return "_No phase has been recorded yet: `make run`._"
    parts = ", ".join(f"phase {record['phase']} {record['wall_time_s']:,.0f} s" for record in records)
    total = sum(record["wall_time_s"] for record in records)
    slow = []
    for record in records:  # epochs far slower than the run's own median: the machine was not the run's alone
        median = statistics.median(record["seconds_per_epoch"])
        spell = [s for s in record["seconds_per_epoch"] if s > SLOW_EPOCH * median]
        if spell:
            took = f"{min(spell):.0f}-{max(spell):.0f} s" if len(spell) > 1 else f"{spell[0]:.0f} s"
            slow.append(f"phase {record['phase']}: {len(spell)} of its epochs took {took} against its median of "
                        f"{median:.1f} s")
    return (f"The recorded series trained for {total:,.0f} s in all ({parts}; `results/phase*.json`, on "
            f"{describe(records[0]['platform'])})." + (f" Slow spells (epochs over {SLOW_EPOCH}x their run's median, "
                                                       f"doing the same work): {'; '.join(slow)}." if slow else ""))


def results_table(results_dir) -> str:
    lines = [f"| phase | params | headline run (seed 1): final test acc | its min test acc, last {HOLD_EPOCHS} | "
             "its best test acc, max over epochs (the original write-up's best) | median epoch |",
             "|---|---:|---:|---:|---:|---:|"]
    for row in PHASES:
        record = load_result(results_dir, row.number)
        if record is None:
            lines.append(f"| {row.number}. {row.title} | not run yet | | | | |")
            continue
        reported = f"{row.reported[2]:.2f}" if row.reported else "-"
        lines.append(f"| {row.number}. {row.title} | {record['params']:,} | {record['test_acc'][-1]:.2f} | "
                     f"{last5_min(record['test_acc']):.2f} | {max(record['test_acc']):.2f} ({reported}) | "
                     f"{statistics.median(record['seconds_per_epoch']):.1f} s on {record['device']} |")
    record = load_result(results_dir, PHASES[0].number)
    if record is not None:
        lines.append(f"\nRecorded on {describe(record['platform'])}.")
    return "\n".join(lines)


def studies_table(results_dir) -> str:
    """The README's seed-study section: each recipe of phases 4 and 5's studies (and their earlier ones), how many
    seeds held and the mean last-5 minimum +- its standard error, the first screen's statistic. The notebooks'
    per-seed table is ``verdicts.study_table``."""
    lines = [f"| phase | recipe | params | seeds | held >= {TARGET_ACC:.2f}% in each of the last {HOLD_EPOCHS} | "
             f"mean last-{HOLD_EPOCHS} minimum +- SE | worst last-{HOLD_EPOCHS} minimum |",
             "|---|---|---:|---:|---:|---:|---:|"]
    for row in (row for row in PHASES if row.study):
        study = _load(results_dir, row.study)
        if study is None:
            lines.append(f"| {row.number} | _not run yet_ | | | | | |")
            continue
        earlier = [(label, _load(results_dir, file)) for label, file in row.earlier]
        entries = [(f"phase {row.number}'s recipe" if n == 0 else entry["name"], entry)
                   for n, entry in enumerate(study["recipes"])] + [
            (f"{label}'s pick ({entry['recipe']['model']})", entry) for label, past in earlier if past
            for entry in past["recipes"]]
        for name, entry in entries:
            s = entry["summary"]
            lines.append(f"| {row.number} | {name} | {entry_params(entry):,} | {s['seeds']} | {s['held']} of "
                         f"{s['seeds']} | {s['mean_min_last']:.2f} +- {s['se_min_last']:.2f} | "
                         f"{s['worst_min_last']:.2f} |")
    return "\n".join(lines)


# docs/selection.md's tables of trials and searches, every round's, each generated from its record (a round still
# running shows what it has): section -> results/<file>.
TRIAL_SECTIONS = {f"{row.command}-round{n}": file for row in PHASES for n, file in enumerate(row.rounds, start=1)}


def trial_section(results_dir, name) -> str:
    """One of ``TRIAL_SECTIONS`` as a table, complete or not; a line naming the command when it is not recorded. The
    view follows the record's shape: a powered round (in stages), round 1 (few seeds, scored by the worst), or phase
    5's frontier."""
    file = TRIAL_SECTIONS[name]
    record = _load(results_dir, file)
    if record is None:
        return f"_`results/{file}` has not been recorded yet: `{WRITTEN_BY[file]}`._"
    view = (powered_trials_markdown if "stages" in record else trials_markdown if record.get("round", 1) == 1 else
            frontier_table)
    return view(record)


def series_points(results_dir=None) -> list[tuple[str, int, float]]:
    """Every recorded test-set run of the series as ``(label, params, last-5 minimum)``: phases 1-3's headline runs
    and their other seeds (``results/spread.json``), phases 4 and 5's seed studies and their ``earlier`` ones; a file
    missing from ``results_dir`` is read from the project's ``results/`` (a smoke run)."""
    def folder(name):
        here = Path(results_dir or results_dir_of_project())
        return here if (here / name).exists() else results_dir_of_project()

    points = []
    for row in PHASES:
        if row.study is None:
            record = load_result(results_dir, row.number, recorded_if_missing=True)
            if record is None:
                continue
            runs = phase_runs(row.number, folder(result_file(row.number)))  # the headline and its other seeds
            points += [(f"phase {row.number}", record["params"], last5_min(acc)) for acc in runs]
            continue
        for earlier, file in ((None, row.study), *row.earlier):
            study = _load(folder(file), file)
            for index, entry in enumerate((study or {}).get("recipes", [])):
                params = entry_params(entry)
                label = ", ".join([f"phase {row.number}"] + [earlier] * bool(earlier) + [entry["name"]] * bool(index))
                points += [(label, params, run["min_last"]) for run in entry["runs"]]
    return points


def tolerance_table(results_dir) -> str:
    """Each notebook's regression tolerance and the evidence it comes from."""
    lines = ["| notebook | tolerance (points) | from |", "|---|---:|---|"]
    for row in PHASES:
        try:
            tolerance, how = spread_tolerance(phase_runs(row.number, results_dir))
        except (FileNotFoundError, KeyError, ValueError):
            lines.append(f"| {row.notebook} | not measured yet | |")
            continue
        lines.append(f"| {row.notebook} | {tolerance:.2f} | {how} |")
    return "\n".join(lines)


def model_tables() -> str:
    """The receptive-field/parameter table of each phase's model, computed from the model itself."""
    parts = []
    for row in PHASES:
        model = build_model(row.recipe["model"])
        parts.append(f"**Phase {row.number}, {row.title}**\n\n{table_markdown(layer_table(model))}")
    return "\n\n".join(parts)


def bench_table(results_dir) -> str:
    benches = load_benches(results_dir)
    if not benches:
        return "_`make bench` has not been run yet._"
    parts = []
    for name, bench in benches:
        lines = [f"Measured with `make bench` on {describe(bench['platform'])} (`results/{name}`; batch size "
                 f"{bench['batch_size']}, {bench['steps']} timed steps per variant after a warm-up, in "
                 f"{len(next(iter(bench['rounds'].values())))} interleaved rounds):", "",
                 "| variant | s / epoch, median | rounds |", "|---|---:|---|"]
        lines += [f"| {variant} | {seconds:.2f} | {', '.join(f'{v:.2f}' for v in bench['rounds'][variant])} |"
                  for variant, seconds in bench["per_epoch"].items()]
        lines.append(f"| test-set evaluation (10,000 images) | {bench['eval_seconds']:.2f} | |")
        lines.append(f"\n`{bench_summary(bench)}`")
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


def sections(results_dir) -> dict:
    return {"status": status_table(results_dir), "run-time": run_time(results_dir),
            "test-set": test_set_table(results_dir),
            "phases": phases_table(), "results": results_table(results_dir), "seed-study": studies_table(results_dir),
            "tolerances": tolerance_table(results_dir),
            **{name: trial_section(results_dir, name) for name in TRIAL_SECTIONS},
            "model-tables": model_tables(), "bench": bench_table(results_dir)}


def replace_section(text: str, name: str, body: str) -> str:
    """Replace what stands between ``<!-- name:start -->`` and ``<!-- name:end -->``."""
    pattern = re.compile(rf"(<!-- {name}:start -->).*?(<!-- {name}:end -->)", re.S)
    if not pattern.search(text):
        raise ValueError(f"README has no '<!-- {name}:start -->' ... '<!-- {name}:end -->' markers")
    return pattern.sub(lambda m: f"{m.group(1)}\n{body}\n{m.group(2)}", text)


DOCS = (Path("docs") / "selection.md", Path("docs") / "reproducibility.md")  # the generated pages beside the README


def update_readme(readme, results_dir) -> None:
    """Regenerate every marked section from ``results_dir``, the recipes and the models, in ``readme`` or in the
    page beside it (``DOCS``) that holds the section's markers."""
    readme = Path(readme)
    files = [path for path in (readme, *(readme.parent / doc for doc in DOCS)) if path.exists()]
    texts = {path: path.read_text() for path in files}
    for name, body in sections(results_dir).items():
        holder = next((path for path, text in texts.items() if f"<!-- {name}:start -->" in text), readme)
        texts[holder] = replace_section(texts.get(holder, ""), name, body)
    for path, text in texts.items():
        path.write_text(text)
