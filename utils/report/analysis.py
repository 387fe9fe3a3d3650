"""Each notebook's Analysis, written from the recorded numbers: a re-run cannot leave stale prose behind.

Every number below is read from a results record (``utils.result_record``), a seed study or the trials file, and
every comparative word ("higher", "held", "below") is chosen by the numbers it describes.
"""

import math

from ..experiments.trials import paired, runs_on, score
from ..goal import GOAL_PARAMS, GOAL_SEEDS, HOLD_EPOCHS, TARGET_ACC, goal_held, goal_line, goal_met, held
from ..phases import phase as phase_row
from .recipes import recipe_changes

CHANCE_ACC = 20.0  # percent: below this an epoch counts as "at chance" (10 classes: 10%)


def chance_epochs(test_acc: list[float]) -> int:
    """How many epochs at the start sit at chance level."""
    count = 0
    for acc in test_acc:
        if acc >= CHANCE_ACC:
            break
        count += 1
    return count


def last_swings(test_acc: list[float]) -> tuple[float, float]:
    """Smallest and largest epoch-to-epoch change (points) over the last ``HOLD_EPOCHS`` epochs."""
    last = test_acc[-HOLD_EPOCHS:]
    changes = [abs(b - a) for a, b in zip(last, last[1:])] or [0.0]  # a one-epoch smoke run has no change
    return min(changes), max(changes)


def _last(record) -> list[float]:
    return record["test_acc"][-HOLD_EPOCHS:]


def _held(record) -> bool:
    return held(record["test_acc"])


def _span(values) -> str:
    return f"{min(values):.2f}-{max(values):.2f}%"


def _phase1(record, previous, trials, studies) -> list[str]:
    acc, loss = record["test_acc"], record["test_loss"]
    stuck = chance_epochs(acc)
    best, best_train, reported_best = max(acc), max(record["train_acc"]), phase_row(1).reported[2]
    lo, hi = last_swings(acc)
    lines = []
    if stuck:
        lines.append(f"**Stuck at chance at the start.** For the first {stuck} epoch{'s' if stuck > 1 else ''} the "
                     f"test loss stays near "
                     f"ln 10 = {math.log(10):.2f} ({', '.join(f'{v:.2f}' for v in loss[:stuck])}) and the test "
                     f"accuracy near 10% ({', '.join(f'{v:.2f}%' for v in acc[:stuck])}): nine stacked convolutions, "
                     f"no normalisation, default initialisation and a small learning rate. From epoch {stuck + 1} "
                     f"on it learns ({acc[stuck]:.2f}% that epoch).")
    else:
        lines.append(f"**No slow start on this run**: {acc[0]:.2f}% after the first epoch.")
    lines.append(f"**Best test accuracy {best:.2f}%** (the original write-up reported {reported_best:.2f}%), best "
                 f"train accuracy {best_train:.2f}%: a gap of {best_train - best:+.2f} points, so the model is "
                 f"{'not overfitting' if best_train - best < 0.5 else 'starting to overfit'}; what limits it is "
                 "optimisation of an unnormalised deep stack more than capacity.")
    lines.append(f"**Unsteady at the end.** With a constant learning rate the test accuracy moves by "
                 f"{lo:.2f}-{hi:.2f} points from one epoch to the next over the last {HOLD_EPOCHS} "
                 f"({_span(_last(record))}), {TARGET_ACC - max(_last(record)):.2f} points or more short of "
                 f"{TARGET_ACC:.2f}%.")
    return lines


def gap_reading(record) -> tuple[str, str]:
    """A heading and a clause for the train-test gap at the end of a run, chosen by its numbers: a gap is called
    overfitting only when the test loss has stopped falling (its lowest value lies before the last epoch)."""
    loss = record["test_loss"]
    if record["train_acc"][-1] - record["test_acc"][-1] <= 0:
        return "No train-test gap", "test accuracy is at or above train accuracy at the end"
    lowest = min(range(len(loss)), key=loss.__getitem__)
    if lowest == len(loss) - 1:
        return ("A train-test gap, not overfitting",
                f"yet the test loss is lowest at the last epoch ({loss[-1]:.4f}): the model is still improving on "
                "the test digits")
    return ("A train-test gap, and the test loss has stopped falling",
            f"and the test loss was lowest at epoch {lowest + 1} ({loss[lowest]:.4f}), {loss[-1]:.4f} at the end: "
            "the first sign of overfitting, or noise")


def _phase2(record, previous, trials, studies) -> list[str]:
    acc, prev = record["test_acc"], previous["test_acc"]
    gap_early = record["train_acc"][4] - acc[4]
    gap_end = record["train_acc"][-1] - acc[-1]
    lo, hi = last_swings(acc)
    plo, phi = last_swings(prev)
    heading, reading = gap_reading(record)
    return [
        f"**No slow start.** {acc[0]:.2f}% test accuracy after the first epoch, where phase 1 had "
        f"{prev[0]:.2f}%: with every channel re-centred and re-scaled the deep stack trains from the first step.",
        f"**{'Higher' if max(acc) > max(prev) else 'Not higher'}.** Best test accuracy {max(acc):.2f}% "
        f"({max(acc) - max(prev):+.2f} against phase 1), best train accuracy {max(record['train_acc']):.2f}% "
        f"({max(record['train_acc']) - max(previous['train_acc']):+.2f}). Over the last {HOLD_EPOCHS} epochs the "
        f"test accuracy moves by {lo:.2f}-{hi:.2f} points from epoch to epoch (phase 1: {plo:.2f}-{phi:.2f}).",
        f"**{heading}.** Train minus test accuracy: {gap_early:+.2f} points at epoch 5, {gap_end:+.2f} at the end; "
        f"{reading}. BatchNorm made fitting easier, it did not make the model generalise better. The last "
        f"{HOLD_EPOCHS} test accuracies span {_span(_last(record))}.",
    ]


def _phase3(record, previous, trials, studies) -> list[str]:
    acc, train = record["test_acc"], record["train_acc"]
    below = sum(t < a for t, a in zip(train, acc))
    touched = sum(a >= TARGET_ACC for a in acc)
    lo, hi = last_swings(acc)
    return [
        f"**The gap turned round.** Train accuracy is below test accuracy in {below} of {len(acc)} epochs (phase 2: "
        f"{sum(t < a for t, a in zip(previous['train_acc'], previous['test_acc']))}): the augmented training digits "
        "are harder than the clean test digits.",
        f"**Test accuracy {'up' if max(acc) > max(previous['test_acc']) else 'not up'}.** Best {max(acc):.2f}% "
        f"({max(acc) - max(previous['test_acc']):+.2f} against phase 2), with "
        f"{previous['params'] - record['params']:,} fewer parameters; "
        + (f"it reaches {TARGET_ACC:.2f}% in {touched} of {len(acc)} epochs." if touched else
           f"no epoch reaches {TARGET_ACC:.2f}%."),
        f"**{'But it does not hold' if not _held(record) else 'And it holds'}.** With a constant learning rate the "
        f"test accuracy moves by {lo:.2f}-{hi:.2f} points from one epoch to the next over the last {HOLD_EPOCHS}, "
        f"which span {_span(_last(record))}"
        + (". Touching the target once is what the mission rules out." if touched and not _held(record) else "."),
    ]


def _phase4(record, previous, trials, studies) -> list[str]:
    acc, lr = record["test_acc"], record["lr_per_epoch"]
    first_drop = next((i for i, (a, b) in enumerate(zip(lr, lr[1:]), start=1) if b < a), len(lr))
    high, after = acc[:first_drop], acc[first_drop:]
    reached = next((first_drop + i + 1 for i, a in enumerate(after) if a >= TARGET_ACC), None)
    lines = [
        _round2_choice(trials),
        f"**The drop does what the schedule promises.** At the first learning rate (epochs 1-{first_drop}) the test "
        f"accuracy spans {_span(high)}; after the first drop it "
        + (f"reaches {TARGET_ACC:.2f}% at epoch {reached}" if reached else f"never reaches {TARGET_ACC:.2f}%")
        + f", and the last {HOLD_EPOCHS} epochs span {_span(_last(record))}, "
        f"{'all' if _held(record) else 'not all'} at or above the target.",
        f"**Train and test accuracy at the end**: {record['train_acc'][-1]:.2f}% and {acc[-1]:.2f}% "
        f"({record['train_acc'][-1] - acc[-1]:+.2f} points).",
    ]
    final, other = list(studies.values())
    fs, os_ = final["summary"], other["summary"]
    lines.append(
        f"**One seed is not the claim; {fs['seeds']} are.** The final recipe held on {fs['held']} of {fs['seeds']} "
        f"seeds (last-{HOLD_EPOCHS} minimum {fs['mean_min_last']:.2f} +- {fs['se_min_last']:.2f}% over seeds, worst "
        f"{fs['worst_min_last']:.2f}%; mean final {fs['mean_final']:.2f}%); "
        f"the original write-up's recipe (as this series reconstructs it) held on {os_['held']} of {os_['seeds']} "
        f"(mean final {os_['mean_final']:.2f}%, "
        f"worst {os_['worst_min_last']:.2f}%). What differs between the two: "
        + "; ".join(recipe_changes(other["recipe"], final["recipe"])) + ". " + _paired_sentence(final, other))
    return lines


def _paired_sentence(final, other) -> str:
    """The final recipe against the one it is compared with, seed by seed over the seeds both ran."""
    d = paired(final["runs"], other["runs"])
    verdict = ("within one standard error: no detectable difference" if abs(d["mean"]) <= d["se"] else
               "more than one standard error" + ("" if abs(d["mean"]) > 2 * d["se"] else ", less than two"))
    return (f"Seed by seed over the {d['seeds']} seeds both ran, the final recipe's last-{HOLD_EPOCHS} minimum is "
            f"{d['mean']:+.3f} +- {d['se']:.3f} points from the original write-up's ({verdict}).")


def _round2_choice(trials) -> str:
    """Round 2's decision in words: each finalist's mean last-5 minimum and its paired difference from the best."""
    finalists = trials["comparisons"]
    scores = "; ".join(
        f"{name} {c['score']['mean']:.3f}%" + ("" if c["vs_best"]["mean"] == 0 else
                                               f" ({c['vs_best']['mean']:+.3f} +- {c['vs_best']['se']:.3f})")
        for name, c in finalists.items())
    seeds = finalists[trials["picked"]]["score"]["seeds"]
    ties = [name for name, c in finalists.items() if c["tie"] and name != trials["picked"]]
    apart = [name for name, c in finalists.items() if not c["tie"]]
    return (f"**The trials chose the recipe, on validation digits, with {seeds} seeds per finalist.** Mean last-"
            f"{HOLD_EPOCHS} minimum and, in brackets, the paired difference from the best with its standard error: "
            f"{scores}. The rule picked {trials['picked']}: {trials['reason']}."
            + (f" Between {', '.join([trials['picked'], *ties][:-1])} and {ties[-1]} there is no detectable "
               f"difference (within one standard error)." if ties else "")
            + (f" Short of the best by more than one standard error: {', '.join(apart)}." if apart else ""))


def _phase5(record, previous, search, studies) -> list[str]:
    acc = record["test_acc"]
    by_name = {c["name"]: c for c in search["candidates"]}
    stage1, stage2, finalists = ([by_name[name] for name in search["stages"][k]] for k in ("1", "2", "3"))
    picked = by_name[search["picked"]]
    seeds = search["stage_seeds"]
    sizes = [c["params"] for c in stage1]
    base = by_name[picked["spec"]]  # the pick's architecture under phase 4's recipe, as stage 1 ran it
    third = (f"stage 3: the finalists ({', '.join(c['name'] for c in finalists)}) on seeds "
             if len(finalists) > 1 else f"stage 3: its one finalist, {finalists[0]['name']}, on seeds ")
    lines = [
        f"**The search chose the model and the recipe, on validation digits.** Stage 1: {len(stage1)} architectures "
        f"of {min(sizes):,} to {max(sizes):,} parameters under phase 4's recipe, seeds "
        f"{_seeds(seeds['1'])}; stage 2: {len(stage2)} recipe levers on the frontier architecture, "
        f"{stage2[0]['spec'] if stage2 else '-'}; {third}{_seeds(seeds['3'])} as well. The rule's decision: "
        f"{search['reason']}.",
    ]
    smaller = sorted((c for c in stage1 if c["params"] < picked["params"]), key=lambda c: -c["params"])
    first = seeds["1"]
    if smaller:
        levers = " + ".join(picked["levers_applied"])
        lines.append(f"**What the smaller ones did** on validation digits, under phase 4's recipe"
                     + (f" (the levers ran on the frontier architecture alone: no smaller one was tried with {levers})"
                        if levers else "") + f": mean last-{HOLD_EPOCHS} minimum over seeds {_seeds(first)}, and the "
                     f"paired difference from {base['name']} under the same recipe: " + "; ".join(
                         f"{c['name']} ({c['params']:,} parameters) {score(c['runs'], first)['mean']:.3f}% "
                         f"({_signed(paired(runs_on(c, first), runs_on(base, first)))})" for c in smaller) + ".")
    lines.append(f"**The headline run** (seed {record['seed']}): the last {HOLD_EPOCHS} test accuracies span "
                 f"{_span(_last(record))}, {'all' if _held(record) else 'not all'} at or above {TARGET_ACC:.2f}%; "
                 f"train and test accuracy at the end {record['train_acc'][-1]:.2f}% and {acc[-1]:.2f}%.")
    final = next(iter(studies.values()))["summary"]
    met = goal_met(record["params"], final)
    lines.append(
        f"**{final['seeds']} seeds on the test set: held on {final['held']} of {final['seeds']}** (last-{HOLD_EPOCHS} "
        f"minimum {final['mean_min_last']:.2f} +- {final['se_min_last']:.2f}% over seeds, worst "
        f"{final['worst_min_last']:.2f}%; mean final {final['mean_final']:.2f}%), with {record['params']:,} "
        f"parameters, {previous['params'] - record['params']:,} fewer than phase 4's {previous['params']:,}. The goal, "
        f"{goal_line()}, is " + ("met." if met else "**not met**: " + "; ".join(
            ([f"only {final['seeds']} seeds studied (the goal needs at least {GOAL_SEEDS})"]
             if final["seeds"] < GOAL_SEEDS else
             [f"held on {final['held']} of {final['seeds']} seeds"] if not goal_held(final) else [])
            + ([f"{record['params']:,} parameters is above {GOAL_PARAMS:,}"] if record["params"] > GOAL_PARAMS
               else [])) + "."))
    return lines


def _seeds(seeds) -> str:
    return f"{seeds[0]}-{seeds[-1]}" if list(seeds) == list(range(seeds[0], seeds[-1] + 1)) else ", ".join(map(str, seeds))


def _signed(d) -> str:
    return f"{d['mean']:+.3f} +- {d['se']:.3f}" if d["seeds"] > 1 else f"{d['mean']:+.3f}, one seed"


def analysis_markdown(record: dict, previous: dict | None = None, trials: dict | None = None,
                      studies: dict | None = None) -> str:
    """The Analysis of ``record``'s phase as markdown bullets (phases 2, 3 and 5 need ``previous``; phases 4 and 5 the
    trials (phase 5: search) file and their seed studies, name -> an entry of the study record)."""
    phase = record["phase"]
    if record["epochs"] <= HOLD_EPOCHS:
        return (f"_A run of {record['epochs']} epoch(s) (a smoke run) is too short to analyse: the analysis reads the "
                f"last {HOLD_EPOCHS} epochs against the ones before them._")
    write = globals()[f"_phase{phase}"]  # each phase's own prose: _phase1, _phase2, ...
    lines = write(record, previous, trials, studies)
    return "\n".join(f"- {line}" for line in lines)
