"""What a reader meets first: the verdict over a phase's seed study, then the notebook's own run as one draw of it;
the studies and the trials' finalists as short tables; how the test set has been used. All read from the records."""

from ..experiments.trials import paired, paired_text
from ..goal import (GOAL_HELD, GOAL_PARAMS, GOAL_SEEDS, HOLD_EPOCHS, MAX_EPOCHS, MAX_PARAMS, STRETCH_PARAMS, TARGET_ACC,
                    goal_held, goal_line, held, hold_rate_bound, how_sure, judged, last5_min, spreads_above,
                    study_verdict)
from ..phases import TEST_SET_STUDIES, phase as phase_row
from ..records import entry_params, load, stages_of, summarize, what_of


def study_answer(study: dict) -> str:
    """A notebook's first screen: the target over its seed study (the study's first recipe), how sure that count and
    spread make it, and phase 5's size goal where the phase has one. Its own run comes after its training, as one draw
    of the study (``verdict_block``)."""
    s = summarize(study["recipes"][0]["runs"])
    lines = [study_verdict(s), how_sure(s)]
    if phase_row(study["phase"]).goal:
        lines.append(goal_answer(study, f"phase {study['phase']}'s goal", markdown=False))
    return "\n".join(lines)


def verdict_block(record: dict, study: dict) -> str:
    """The verdict of ``record``'s phase, stated once and study first: the target over the seed study (its first
    recipe), the per-run limits, phase 5's size goal over every size the study ran where the phase has one, and this
    notebook's run as one draw."""
    entry = study["recipes"][0]
    s = summarize(entry["runs"])
    params, epochs, acc = record["params"], record["epochs"], record["test_acc"]
    limits = params < MAX_PARAMS and epochs <= MAX_EPOCHS
    lines = [study_verdict(s), f"{'met    ' if limits else 'not met'}  parameters {params:,} < {MAX_PARAMS:,}; epochs "
                               f"{epochs} <= {MAX_EPOCHS}"]
    if phase_row(study["phase"]).goal:
        lines.append(goal_answer(study, f"phase {study['phase']}'s goal", markdown=False))
    threads = record["platform"].get("threads")
    if any(run["seed"] == record["seed"] and run["acc"] == acc for run in entry["runs"]):
        whose = f"this notebook's run is the study's seed {record['seed']}"
    else:
        study_threads = sorted({run.get("platform", {}).get("threads") for run in entry["runs"]} - {None})
        whose = (f"this notebook's run, seed {record['seed']} on {_threads(threads)}, is a draw of its own (the "
                 f"study's runs used {' or '.join(map(_threads, study_threads)) or 'another layout'} each)")
    last = ", ".join(f"{a:.2f}" for a in judged(acc))
    if epochs < MAX_EPOCHS:
        lines.append(f"{whose}: {epochs} epoch(s), a smoke run; this run: did not hold")
    else:
        lines.append(f"{whose}: last {HOLD_EPOCHS} epochs {last}; this run: {'held' if held(acc) else 'did not hold'}")
    return "\n".join(lines)


def _threads(n) -> str:
    return f"{n} thread{'s' if n != 1 else ''}"


def study_table(study: dict) -> str:
    """Every recipe of a seed study, a column per seed: the last-5 minimum (misses in bold) and the final accuracy;
    then how many held and the mean last-5 minimum with its standard error."""
    seeds = sorted({run["seed"] for entry in study["recipes"] for run in entry["runs"]})
    lines = ["| recipe | | " + " | ".join(f"seed {s}" for s in seeds)
             + f" | held | last-{HOLD_EPOCHS} min, mean +- SE |",
             "|---|---|" + "---:|" * (len(seeds) + 2)]
    for entry in study["recipes"]:
        runs = {run["seed"]: run for run in entry["runs"]}
        s = summarize(entry["runs"])

        def cell(seed, key):
            if seed not in runs:
                return ""
            value = f"{runs[seed][key]:.2f}"
            return f"**{value}**" if key == "min_last" and runs[seed][key] < TARGET_ACC else value
        lines.append(f"| {entry['name']} | last-{HOLD_EPOCHS} min | " + " | ".join(cell(s_, "min_last") for s_ in seeds)
                     + f" | {s['held']} of {s['seeds']} | {s['mean_min_last']:.2f} +- {s['se_min_last']:.2f} |")
        lines.append("| | final | " + " | ".join(cell(s_, "final") for s_ in seeds) + " | | |")
    return "\n".join(lines) + (f"\n\nBold: a seed whose last {HOLD_EPOCHS} epochs did not all reach "
                               f"{TARGET_ACC:.2f}% (a miss). Test accuracy (%), each seed a complete "
                               f"{MAX_EPOCHS}-epoch run.")


def finalists_table(record: dict) -> str:
    """The last stage of a trials or search record, short: each finalist (and the search's reference, or the base
    when the rule weighs the pick against round 2's) with its seeds, mean last-5 minimum, standard error and paired
    difference from the pick over the seeds both ran; then the rule's decision."""
    by_name = {c["name"]: c for c in record["candidates"]}
    stages = stages_of(record)
    last = stages[max(stages, key=int)]["candidates"]
    rows = [by_name[name] for name in last] + ([record["reference"]] if "reference" in record else [])
    if "vs_round2" in record and "base" not in last:
        rows.append(by_name["base"])
    pick = by_name[record["picked"]]
    lines = [f"| candidate | what it is | seeds | mean last-{HOLD_EPOCHS} min | SE | vs the pick, paired |",
             "|---|---|---:|---:|---:|---:|"]
    for c in rows:
        s, d = summarize(c["runs"]), paired(c["runs"], pick["runs"])
        name = f"**{c['name']}** (picked)" if c is pick else c["name"]
        what = what_of(c)
        versus = "-" if c is pick else paired_text(d)
        lines.append(f"| {name} | {what} | {s['seeds']} | {s['mean_min_last']:.3f} | {s['se_min_last']:.3f} | "
                     f"{versus} |")
    return "\n".join(lines) + f"\n\nDecision: {record['reason']}."


def frontier_table(record: dict) -> str:
    """Phase 5's frontier (``make search``), short: each size, smallest first, with its seeds, mean last-5 minimum on
    validation digits, standard error, paired difference from phase 4's recipe, margin over the rule's level and
    whether it reaches it; then the decision. Before the decision: what is recorded so far, and what it waits for."""
    if not record.get("complete"):
        done = sum(len(c["runs"]) for c in record["candidates"])
        return (f"_Incomplete: {done} runs recorded so far; the decision waits for every size's "
                f"{len(record['seeds'])} seeds and for phase 4's test-set study._")
    lines = [f"| model | parameters | seeds | mean last-{HOLD_EPOCHS} min | SE | vs phase 4's recipe, paired | "
             "margin over the level | reaches it |", "|---|---:|---:|---:|---:|---:|---:|---|"]
    for name, row in record["sizes"].items():
        s, mark = row["score"], f"**{name}** (picked)" if name == record["picked"] else name
        lines.append(f"| {mark} | {row['params']:,} | {s['seeds']} | {s['mean']:.3f} | {s['se']:.3f} | "
                     f"{paired_text(row['vs_phase4'])} | {row['margin']:+.3f} | {'yes' if row['reaches'] else 'no'} |")
    return "\n".join(lines) + (f"\n\nValidation digits (%), every size under one recipe and the same seeds. "
                               f"Decision: {record['reason']}.")


def test_set_table(results_dir=None) -> str:
    """Every seed study that looked at the test set, in order (``utils.phases.TEST_SET_STUDIES``), with what each held
    and what it sent back to the trials."""
    lines = ["| # | date | phase | what was studied | held, each recipe of the study | what it sent back |",
             "|---:|---|---:|---|---|---|"]
    for number, (date, phase, what, file, sent) in enumerate(TEST_SET_STUDIES, start=1):
        study = load(file, results_dir, required=False)
        if study is None:
            lines.append(f"| {number} | {date} | {phase} | {what} (`results/{file}`) | not in this folder | {sent} |")
            continue
        held_ = "; ".join(f"`{e['name']}`: {summarize(e['runs'])['held']} of {summarize(e['runs'])['seeds']}"
                          for e in study["recipes"])
        lines.append(f"| {number} | {date} | {phase} | {what} (`results/{file}`) | {held_} | {sent} |")
    return "\n".join(lines) + (f"\n\n{len(TEST_SET_STUDIES)} studies have looked at the test set. Since the first, "
                               "every pick was chosen on validation digits, but each study that sent the project back "
                               "to the trials made the next round adaptive: the decision to look again followed a look "
                               "at the test set. Each notebook's own run is also evaluated on the test set after every "
                               "epoch; no epoch, checkpoint or recipe is picked by it.")


def goal_answer(study: dict, name: str = "The goal", markdown: bool = True) -> str:
    """Phase 5's goal over every model size its seed study ran: met (within the stretch size or not), or not met and
    the smallest model measured to hold (one of the study's, else the phase before's, by its own study)."""
    bold = "**" if markdown else ""
    holding = sorted(entry_params(entry) for entry in study["recipes"]
                     if entry["runs"] and goal_held(summarize(entry["runs"])))
    if holding and holding[0] <= GOAL_PARAMS:
        return (f"{bold}{name}, {goal_line()}, is met{bold} by {holding[0]:,} parameters"
                + (", within the stretch goal's size too." if holding[0] <= STRETCH_PARAMS else
                   f"; the stretch goal's {STRETCH_PARAMS:,} is not."))
    before = phase_row(study["phase"] - 1)
    smallest = (f"{holding[0]:,} parameters" if holding else
                f"phase {before.number}'s {before.params:,} (its own study): no smaller size studied held")
    return (f"{bold}{name}, {goal_line()}, is not met.{bold} The smallest model measured to hold on {GOAL_HELD} of "
            f"{GOAL_SEEDS} is {smallest}.")


def status_line(study: dict | None, runs: list[list[float]]) -> tuple[bool, str]:
    """One phase, as the README's first screen states it: whether it meets the target, and in words its seed study's
    verdict, or its recorded runs when it has no study (too few seeds to judge, and their last-5 minima)."""
    if study is not None:
        s = summarize(study["recipes"][0]["runs"])
        met = goal_held(s)
        sure = f"with 95% confidence a seed holds at least {hold_rate_bound(s['held'], s['seeds']):.0%} of the time"
        if s["std_min_last"]:
            sure += f", the mean {spreads_above(s):.1f} seed standard deviations above {TARGET_ACC:.2f}%"
        return met, (f"held on {s['held']} of {s['seeds']} seeds, mean last-{HOLD_EPOCHS} minimum "
                     f"{s['mean_min_last']:.2f} +- {s['se_min_last']:.2f}%: **{'MET' if met else 'NOT MET'}** ({sure})")
    lows, holding = [last5_min(acc) for acc in runs], sum(held(acc) for acc in runs)
    return False, (f"no seed study; held on {holding} of the {len(lows)} recorded runs, "
                   f"last-{HOLD_EPOCHS} minimum {min(lows):.2f}-{max(lows):.2f}%: **NOT MET**"
                   if holding < len(runs) else "no seed study: not judged")
