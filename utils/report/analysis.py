"""Each notebook's Analysis, written from the recorded numbers: a re-run cannot leave stale prose behind.

Every number below is read from a results record (``utils.result_record``), a seed study or the trials file, and
every comparative word ("higher", "held", "below") is chosen by the numbers it describes.
"""

import math

from ..core.data import PART_SIZES
from ..experiments.trials import apart_words, paired, paired_text
from ..goal import GOAL_HELD, GOAL_SEEDS, HOLD_EPOCHS, TARGET_ACC, goal_held, held, judged
from ..phases import phase as phase_row
from ..records import entry_params, summarize

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
    last = judged(test_acc)
    changes = [abs(b - a) for a, b in zip(last, last[1:])] or [0.0]  # a one-epoch smoke run has no change
    return min(changes), max(changes)


def _last(record) -> list[float]:
    return judged(record["test_acc"])


def _held(record) -> bool:
    return held(record["test_acc"])


def _span(values) -> str:
    return f"{min(values):.2f}-{max(values):.2f}%"


def _baseline(record, previous, trials, studies) -> list[str]:
    acc, loss = record["test_acc"], record["test_loss"]
    stuck = chance_epochs(acc)
    best, reported_best = max(acc), phase_row(record["phase"]).reported[2]
    gap = record["train_acc"][-1] - acc[-1]
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
    lines.append(f"**Final test accuracy {acc[-1]:.2f}%** (its maximum over epochs {best:.2f}%, beside the original "
                 f"write-up's best, {reported_best:.2f}%). Train minus test accuracy at the last epoch: {gap:+.2f} "
                 f"points, so the model is {'not overfitting' if gap < 0.5 else 'starting to overfit'}; what limits "
                 "it is optimisation of an unnormalised deep stack more than capacity.")
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


def _batchnorm(record, previous, trials, studies) -> list[str]:
    acc, prev = record["test_acc"], previous["test_acc"]
    gap_early = record["train_acc"][4] - acc[4]
    gap_end = record["train_acc"][-1] - acc[-1]
    lo, hi = last_swings(acc)
    plo, phi = last_swings(prev)
    heading, reading = gap_reading(record)
    return [
        f"**No slow start.** {acc[0]:.2f}% test accuracy after the first epoch, where phase 1 had "
        f"{prev[0]:.2f}%: with every channel re-centred and re-scaled the deep stack trains from the first step.",
        f"**{'Higher' if min(_last(record)) > min(judged(prev)) else 'Not higher'} at the end.** Final test "
        f"accuracy {acc[-1]:.2f}% ({acc[-1] - prev[-1]:+.2f} against phase 1), last-{HOLD_EPOCHS} minimum "
        f"{min(_last(record)):.2f}% ({min(_last(record)) - min(judged(prev)):+.2f}). Over the last "
        f"{HOLD_EPOCHS} epochs the test accuracy moves by {lo:.2f}-{hi:.2f} points from epoch to epoch (phase 1: "
        f"{plo:.2f}-{phi:.2f}).",
        f"**{heading}.** Train minus test accuracy: {gap_early:+.2f} points at epoch 5, {gap_end:+.2f} at the end; "
        f"{reading}. BatchNorm made fitting easier, it did not make the model generalise better. The last "
        f"{HOLD_EPOCHS} test accuracies span {_span(_last(record))}.",
    ]


def _gap(record, previous, trials, studies) -> list[str]:
    acc, train = record["test_acc"], record["train_acc"]
    below = sum(t < a for t, a in zip(train, acc))
    touched = sum(a >= TARGET_ACC for a in acc)
    lo, hi = last_swings(acc)
    return [
        f"**The gap turned round.** Train accuracy is below test accuracy in {below} of {len(acc)} epochs (phase 2: "
        f"{sum(t < a for t, a in zip(previous['train_acc'], previous['test_acc']))}): the augmented training digits "
        "are harder than the clean test digits.",
        f"**Test accuracy {'up' if acc[-1] > previous['test_acc'][-1] else 'not up'} at the end.** Final "
        f"{acc[-1]:.2f}% ({acc[-1] - previous['test_acc'][-1]:+.2f} against phase 2), with "
        f"{previous['params'] - record['params']:,} fewer parameters; "
        + (f"it reaches {TARGET_ACC:.2f}% in {touched} of {len(acc)} epochs." if touched else
           f"no epoch reaches {TARGET_ACC:.2f}%."),
        f"**{'But it does not hold' if not _held(record) else 'And it holds'}.** With a constant learning rate the "
        f"test accuracy moves by {lo:.2f}-{hi:.2f} points from one epoch to the next over the last {HOLD_EPOCHS}, "
        f"which span {_span(_last(record))}"
        + (". Touching the target once is what the mission rules out." if touched and not _held(record) else "."),
    ]


def _schedule(record, previous, trials, studies) -> list[str]:
    acc, lr = record["test_acc"], record["lr_per_epoch"]
    first_drop = next((i for i, (a, b) in enumerate(zip(lr, lr[1:]), start=1) if b < a), len(lr))
    high, after = acc[:first_drop], acc[first_drop:]
    reached = next((first_drop + i + 1 for i, a in enumerate(after) if a >= TARGET_ACC), None)
    below = [first_drop + i + 1 for i, a in enumerate(after)
             if a < TARGET_ACC and reached and first_drop + i + 1 > reached]
    decay = record["recipe"]["train"]["ema"]
    steps = math.ceil((record["run"].get("limit_train") or PART_SIZES["train"]) / record["batch_size"])
    lines = [_trials_choice(trials)]
    if decay:
        lines.append(f"**Epoch 1's test accuracy, {acc[0]:.2f}%, is the weight average's.** At decay {decay} per step, "
                     f"after the first epoch's {steps:,} steps the average still gives {decay ** steps:.0%} of its "
                     "weight to the first step's, nearly untrained, weights; it catches up within a few epochs. The "
                     "training accuracy is the trained model's, averaged over each epoch on augmented digits.")
    lines.append(
        f"**Before and after the first lr drop.** At the peak lr (epochs 1-{first_drop}) the test accuracy spans "
        f"{_span(high)}; after the drop it "
        + (f"first reaches {TARGET_ACC:.2f}% at epoch {reached}" if reached else f"never reaches {TARGET_ACC:.2f}%")
        + (f", then falls below it again at epoch{'s' if len(below) > 1 else ''} {', '.join(map(str, below))}"
           if below else "")
        + f"; the last {HOLD_EPOCHS} epochs span {_span(_last(record))}: "
        + ("this run held." if _held(record) else
           f"this run missed by {TARGET_ACC - min(_last(record)):.2f} points. The drop settles the accuracy; it does "
           "not lift it far enough above the line that the epoch-to-epoch noise cannot cross it."))
    final, other = list(studies.values())
    fs = final["summary"]
    lines.append(
        f"**What the study says.** A last-{HOLD_EPOCHS} minimum of {fs['mean_min_last']:.2f} +- "
        f"{fs['se_min_last']:.2f}% over seeds (standard deviation {fs['std_min_last']:.2f}) sits "
        f"{fs['mean_min_last'] - TARGET_ACC:+.2f} points from the line, {_held_words(fs)} "
        + _paired_sentence(final, other))
    return lines


def _held_words(summary: dict) -> str:
    """What a study's count of held seeds says, beside its mean: chance below the line, or a mean too low."""
    if not goal_held(summary):
        return (f"so some seeds fall below it by chance; holding on {GOAL_HELD} of every {GOAL_SEEDS} seeds needs the "
                "mean itself higher.")
    missed = summary["seeds"] - summary["held"]
    return (f"and {summary['held']} of {summary['seeds']} seeds held"
            + ("." if not missed else "; the one that fell below the line did so by chance." if missed == 1 else
               "; those that fell below the line did so by chance."))


def _paired_sentence(final, other) -> str:
    """The final recipe against the one it is compared with, seed by seed over the seeds both ran."""
    d = paired(final["runs"], other["runs"])
    return (f"Seed by seed over the {d['seeds']} seeds both ran, the final recipe's last-{HOLD_EPOCHS} minimum is "
            f"{paired_text(d)} points from the original write-up's: {apart_words(d)}.")


def _trials_choice(trials) -> str:
    """The decision of the round that chose the recipe, in words (the finalists' numbers are in the table above it);
    where the rule weighs the pick against round 2's, that difference too."""
    finalists = {name: c for name, c in trials["comparisons"].items()  # a base among them: its own sentence below
                 if not ("vs_base" in trials and name == "base" != trials["picked"])}
    seeds = finalists[trials["picked"]]["score"]["seeds"]
    ties = [name for name, c in finalists.items() if c["tie"] and name != trials["picked"]]
    apart_ = [name for name, c in finalists.items() if not c["tie"]]
    means = [c["score"]["mean"] for c in finalists.values()]
    text = (f"**Round {trials['round']} of the trials picked {trials['picked']}, on validation digits, with {seeds} "
            f"seeds{' per finalist' if len(finalists) > 1 else ''}.**"
            + (f" Between {', '.join([trials['picked'], *ties][:-1])} and {ties[-1]} there is no detectable "
               f"difference (within one standard error)." if ties else "")
            + (f" Short of the best by more than one standard error: {', '.join(apart_)}." if apart_ else "")
            + (f" The finalists' means span {max(means) - min(means):.3f} points." if len(finalists) > 1 else ""))
    against = "round 2's pick" if "vs_round2" in trials else "the base, the recipe the round started from"
    d = trials.get("vs_round2") or trials.get("vs_base")
    if d and trials["picked"] != "base":
        text += (f" Against {against}, seed by seed over the {d['seeds']} seeds both ran: {paired_text(d)} "
                 f"points, {apart_words(d)}.")
    return text


def frontier_steps(record: dict) -> list[str]:
    """What each step down the frontier gave up, one sentence per size below the largest: the smaller model's last-5
    minimum on validation digits against the next larger one's, seed by seed over the seeds both ran."""
    sizes = sorted((c for c in record["candidates"] if c["runs"]), key=lambda c: -c["params"])
    lines = []
    for larger, smaller in zip(sizes, sizes[1:]):
        d = paired(smaller["runs"], larger["runs"])
        lines.append(f"**{larger['params']:,} -> {smaller['params']:,} parameters** "
                     f"({smaller['params'] / larger['params'] - 1:+.0%}): {paired_text(d)} points over "
                     f"{d['seeds']} seeds, {apart_words(d)}.")
    return lines


def _frontier(record, previous, search, studies) -> list[str]:
    """Phase 5 as the frontier chose it (``utils.experiments.frontier``): how the sizes ran and what the rule's level
    is, what each step down gave up, and what the test-set studies measured against what the frontier foretold (the
    goal's answer is stated once, in the verdict: ``verdicts.goal_answer``)."""
    c = search["calibration"]
    sizes = sorted((size for size in search["candidates"] if size["runs"]), key=lambda size: size["params"])
    lines = [
        f"**The frontier, on validation digits.** {len(sizes)} models of {sizes[0]['params']:,} to "
        f"{sizes[-1]['params']:,} parameters (the largest, {sizes[-1]['name']}) under one recipe, phase 4's with "
        f"batches of at most 64, on seeds {_seeds(search['seeds'])} each. Phase 4's recipe scores "
        f"{c['validation_mean']:.3f}% on validation digits and {c['test_mean']:.3f}% on test digits (its study), "
        f"an offset of {c['offset']:+.3f} points (validation minus test) that moves the rule's level, "
        f"{c['level_test']:.3f}% on test, to {c['level_validation']:.3f}% on validation. The rule's decision: "
        f"{search['reason']}.",
        *frontier_steps(search)]
    by_model = {size["name"]: size for size in sizes}
    studied = sorted(((entry_params(entry), summarize(entry["runs"]), by_model.get(entry["recipe"]["model"]))
                      for entry in studies.values()), key=lambda study: study[0])
    lines.append("**What the test-set studies say**, each size's mean against what its validation mean, moved by the "
                 f"offset, foretold, and its seed spread against phase 4's {c['test_std']:.3f}, which the level "
                 "assumes: " + "; ".join(
                     f"{params:,} parameters held on {s['held']} of {s['seeds']} seeds (last-{HOLD_EPOCHS} minimum "
                     f"{s['mean_min_last']:.2f} +- {s['se_min_last']:.2f}%"
                     + (f", foretold {summarize(size['runs'])['mean_min_last'] - c['offset']:.2f}%" if size else "")
                     + f"; sd {s['std_min_last']:.3f})" for params, s, size in studied)
                 + ". The goal's answer is the verdict's, above.")
    return lines


def _seeds(seeds) -> str:
    consecutive = list(seeds) == list(range(seeds[0], seeds[-1] + 1))
    return f"{seeds[0]}-{seeds[-1]}" if consecutive else ", ".join(map(str, seeds))


# Each phase's own prose, named by its row of the phase table (``utils.phases.Phase.analysis``).
WRITERS = {"baseline": _baseline, "batchnorm": _batchnorm, "gap": _gap, "schedule": _schedule, "frontier": _frontier}


def analysis_markdown(record: dict, previous: dict | None = None, trials: dict | None = None,
                      studies: dict | None = None) -> str:
    """The Analysis of ``record``'s phase as markdown bullets (phases 2, 3 and 5 need ``previous``; phases 4 and 5 the
    trials (phase 5: search) file and their seed studies, name -> an entry of the study record)."""
    phase = record["phase"]
    if record["epochs"] <= HOLD_EPOCHS:
        return (f"_A run of {record['epochs']} epoch(s) (a smoke run) is too short to analyse: the analysis reads the "
                f"last {HOLD_EPOCHS} epochs against the ones before them._")
    lines = WRITERS[phase_row(phase).analysis](record, previous, trials, studies)
    return "\n".join(f"- {line}" for line in lines)


def lr_by_epoch(recipe: dict, steps_per_epoch: int) -> list[float]:
    """The learning rate each epoch of ``recipe`` starts at, as its optimiser and schedule set it (no data needed)."""
    import torch

    from ..core.runs import make_optimizer, run_config
    optimizer, scheduler, per_batch = make_optimizer(torch.nn.Linear(1, 1), run_config(recipe, seed=0),
                                                     steps_per_epoch)
    rates = []
    for _ in range(recipe["train"]["epochs"]):
        rates.append(optimizer.param_groups[0]["lr"])
        for _ in range(steps_per_epoch if per_batch else 1 if scheduler is not None else 0):
            optimizer.step()
            scheduler.step()
    return rates


def misses_words(runs: list[dict], recipe: dict, steps_per_epoch: int) -> list[str]:
    """For each run that missed the target, where in the judged window it dipped and the learning rate there."""
    rates, lines = lr_by_epoch(recipe, steps_per_epoch), []
    first = len(rates) - len(judged(rates)) + 1
    for run in runs:
        window = judged(run["acc"])
        low = [first + i for i, acc in enumerate(window) if acc < TARGET_ACC]
        if not low:
            continue
        worst = first + window.index(min(window))
        lines.append(f"seed {run['seed']}: below {TARGET_ACC:.2f}% in epoch{'s' * (len(low) > 1)} "
                     f"{', '.join(map(str, low))} of {first}-{len(rates)}, lowest {min(window):.2f}% at epoch {worst} "
                     f"(lr {rates[worst - 1]:g})")
    return lines
