"""The markdown tables of the notebooks and the README: a run's last epochs, its comparison with the phase before,
the trials and searches that chose the recipes, and the bench's speedup."""

import statistics

from ..experiments.trials import paired, paired_text
from ..goal import GOAL_HELD, GOAL_SEEDS, HOLD_EPOCHS, TARGET_ACC, judged, last5_min
from ..phases import phase as phase_row
from ..records import stages_of, summarize, what_of


def last5_markdown(history) -> str:
    """The last ``HOLD_EPOCHS`` epochs of a run, the ones the target judges, as a markdown table: learning rate, test
    loss, test accuracy and whether it reached ``TARGET_ACC`` (fewer rows when the run is shorter)."""
    lines = [f"| epoch | lr | test loss | test acc (%) | >= {TARGET_ACC:.2f} |", "|---:|---:|---:|---:|:---:|"]
    for i in judged(range(history.epochs)):
        reached = "yes" if history.test_acc[i] >= TARGET_ACC else "no"
        lines.append(f"| {i + 1} | {history.lr[i]:.5f} | {history.test_loss[i]:.4f} | {history.test_acc[i]:.2f} | "
                     f"{reached} |")
    return "\n".join(lines)


def comparison_markdown(record: dict, previous: dict | None) -> str:
    """This run against the previous phase's recorded run (final and last-5 minimum) and against the original
    write-up's reported numbers (its best, a maximum over epochs, beside this run's own maximum)."""
    phase, acc = record["phase"], record["test_acc"]
    lines = [f"| run | params | final test acc | min test acc, last {HOLD_EPOCHS} | best test acc, max over epochs |",
             "|---|---:|---:|---:|---:|"]
    reported = phase_row(phase).reported
    if reported:  # phase 5 goes beyond the original write-up: nothing reported to compare with
        lines.append(f"| original write-up, phase {phase} (reported) | {reported[0]:,} | | | {reported[2]:.2f} |")
    lines.append(f"| **this run, phase {phase}** | {record['params']:,} | {acc[-1]:.2f} | {last5_min(acc):.2f} | "
                 f"{max(acc):.2f} |")
    if previous is not None:
        prev = previous["test_acc"]
        lines.append(f"| recorded run, phase {previous['phase']} | {previous['params']:,} | {prev[-1]:.2f} | "
                     f"{last5_min(prev):.2f} | |")
        lines.append(f"| change vs phase {previous['phase']} | {record['params'] - previous['params']:+,} | "
                     f"{acc[-1] - prev[-1]:+.2f} | {last5_min(acc) - last5_min(prev):+.2f} | |")
    gap = record["train_acc"][-1] - acc[-1]
    if gap > 0:
        reading = "train above test: the model fits its training digits better than it generalises"
    elif record["recipe"].get("augment") is not None:
        reading = ("test above train: augmentation makes the training digits harder than the test digits, and the "
                   "train figure averages an epoch during which the weights were still changing")
    else:
        reading = ("test above train, with no augmentation: the train figure averages an epoch during which the "
                   "weights were still changing, the test figure is taken at its end")
    if record["recipe"].get("train", {}).get("ema"):
        reading += "; the train figure is the trained model's, the test figure the weight average's"
    lines.append(f"\nTrain minus test accuracy at the last epoch: {gap:+.2f} points ({reading}).")
    return "\n".join(lines)


def trials_markdown(record: dict) -> str:
    """The trials as a table: each candidate's levers, each seed's last-5 validation minimum, and the decision."""
    seeds = record["seeds"]
    what = "parameters" if "reference" in record else "what it adds"
    lines = [f"| candidate | {what} | " + " | ".join(f"seed {s}: last-5 min / final" for s in seeds)
             + " | worst last-5 min | std | mean final |", "|---|---|" + "---:|" * (len(seeds) + 3)]
    rows = record["candidates"] + ([record["reference"]] if "reference" in record else [])
    for c in rows:
        runs = {run["seed"]: run for run in c["runs"]}
        cells = [f"{runs[s]['min_last']:.2f} / {runs[s]['final']:.2f}" if s in runs else "not run" for s in seeds]
        s = c["summary"] or {}
        name = f"**{c['name']}**" if c["name"] == record.get("picked") else c["name"]
        lines.append(f"| {name} | {c['levers']} | " + " | ".join(cells) + " | "
                     + (f"{s['worst_min_last']:.2f} | {s['std_min_last']:.2f} | {s['mean_final']:.2f} |"
                        if s else "| | |"))
    verdict = (f"Picked: **{record['picked']}**, {record['reason']}." if record.get("complete")
               else "_Incomplete: not every run has finished._")
    return "\n".join(lines) + f"\n\nValidation split: {record['split']['validation']}; trained on " \
        f"{record['split']['train']}. Rule: {record['rule']}.\n\n{verdict}"


def powered_trials_markdown(record: dict) -> str:
    """A trials or search round in stages: every seed's last-5 validation minimum, each candidate's mean and standard
    error, and its paired difference from the best over the seeds both ran; a search's candidates also show their
    parameters."""
    candidates = [c for c in record["candidates"] if c["runs"]]
    stages = {number: stage["candidates"] for number, stage in stages_of(record).items()}
    last = max(record.get("stage_seeds") or stages)  # the driver writes each stage as it starts
    finalists = stages.get(last)  # once the last stage is set, the best is among its candidates
    pool = [c for c in candidates if c["name"] in finalists] if finalists else candidates
    candidates += [record["reference"]] if "reference" in record else []  # phase 5's yardstick, shown last
    seeds = sorted({run["seed"] for c in candidates for run in c["runs"]})
    stats = {c["name"]: summarize(c["runs"]) for c in candidates}
    best = max(pool, key=lambda c: stats[c["name"]]["mean_min_last"]) if pool else None
    sized = all("params" in c for c in candidates)
    lines = [f"| candidate |{' parameters |' if sized else ''} stage | {' | '.join(f'seed {s}' for s in seeds)} | mean "
             f"| SE | vs best, paired |", "|---|" + ("---:|" if sized else "") + "---|" + "---:|" * (len(seeds) + 3)]
    for c in candidates:
        runs = {run["seed"]: run["min_last"] for run in c["runs"]}
        s = stats[c["name"]]
        d = paired(c["runs"], best["runs"])
        versus = ("best" if c is best else f"{paired_text(d)} ({d['seeds']} seeds)" if d["seeds"] > 1
                  else f"{d['mean']:+.3f} (1 seed: no standard error yet)")
        stage = ", ".join(k for k, names in stages.items() if c["name"] in names) or (
            "reference" if c is record.get("reference") else "")
        name = f"**{c['name']}**" if c["name"] == record.get("picked") else c["name"]
        params = f" {c['params']:,} |" if sized else ""
        se = f"{s['se_min_last']:.3f}" if len(runs) > 1 else "-"  # one seed has no spread to measure
        lines.append(f"| {name} |{params} {stage} | " + " | ".join(f"{runs[s]:.2f}" if s in runs else "" for s in seeds)
                     + f" | {s['mean_min_last']:.3f} | {se} | {versus} |")
    done = sum(len(c["runs"]) for c in record["candidates"])
    verdict = (f"Picked: **{record['picked']}**, {record['reason']}." if record.get("complete") else
               f"_Incomplete: {done} runs recorded so far; the decision waits for stage {last}"
               + ("" if "stage_seeds" in record else " or later") + "._")
    if "levels" in record:  # a driver round's rule: each candidate's own level
        levels = record["levels"]
        verdict += (f"\n\nEach candidate's own level (the mean at which its seed spread holds on {GOAL_HELD} of every "
                    f"{GOAL_SEEDS} seeds, moved onto validation digits by phase 4's offset between the splits, "
                    f"{levels['offset']:+.3f}): "
                    + "; ".join(f"{name} {c['level']:.3f} against its mean {c['score']['mean']:.3f}, "
                                + ("expected to hold" if c["expected_to_hold"] else "not expected to hold")
                                for name, c in levels["candidates"].items()) + ".")
    what = "\n".join(f"- `{c['name']}`: {what_of(c)}" for c in record["candidates"])
    if "reference" in record:
        what += f"\n- `{record['reference']['name']}`: the reference, from {record['reference']['source']}"
    return ("\n".join(lines) + f"\n\nEach cell: the minimum validation accuracy (%) over the last {HOLD_EPOCHS} "
            f"epochs; trained on {record['split']['train']}, judged on {record['split']['validation']}. SE: the "
            f"standard error of the mean over seeds; vs best: the mean paired difference from the best candidate and "
            f"its standard error, over the seeds both ran.\n\n{what}\n\nRule (committed before the runs): "
            f"{record['rule']}.\n\n{verdict}")


def _compiling(result: dict) -> str:
    """How long torch.compile took: the first round's compile, then the later rounds' (torch's cache warm)."""
    first, *later = result["compile_seconds"]
    return f"{first:.0f} s of compiling the first time" + (
        f", {statistics.median(later):.1f} s in the later rounds (cached)" if later else "")


def bench_summary(result: dict) -> str:
    """The speedup of the fast path over the DataLoader, with its range over the rounds (each round's own ratio: the
    two variants ran back to back, under the same load), and the floor."""
    (baseline, fast, floor, *compiled), rounds = result["per_epoch"].values(), list(result["rounds"].values())
    ratios = [a / b for a, b in zip(rounds[0], rounds[1])]
    line = (f"speedup {baseline / fast:.2f}x (range over rounds {min(ratios):.2f}-{max(ratios):.2f}x): baseline "
            f"{baseline:.2f} s/epoch, fast {fast:.2f}, compute floor {floor:.2f} (medians of {len(rounds[0])} rounds)")
    if compiled:  # (d): the same step compiled, against (c) in each round
        step_ratios = [c / d for c, d in zip(rounds[2], rounds[3])]
        line += (f"; torch.compile'd step {compiled[0]:.2f} s/epoch, {floor / compiled[0]:.2f}x the eager step (range "
                 f"over rounds {min(step_ratios):.2f}-{max(step_ratios):.2f}x) after {_compiling(result)}")
    if len(compiled) > 1:  # (e): the whole fast path with the compiled step, against (b) in each round
        path_ratios = [b / e for b, e in zip(rounds[1], rounds[4])]
        line += (f"; the whole fast path with it {compiled[1]:.2f} s/epoch, {fast / compiled[1]:.2f}x the eager fast "
                 f"path (range over rounds {min(path_ratios):.2f}-{max(path_ratios):.2f}x)")
    return line
