"""Phase 5's frontier: how small a model can be and still hold, measured over seeds.

The sizes, the recipe, the calibration and the rule, fixed before any run. ``utils.experiments.runner.frontier`` runs
them on the validation split and records every run in ``results/phase5_frontier.json``; the test-set studies of what
the rule names come after (``make study``).

Why one design scaled in width: at 3,000-4,000 parameters, the search of building blocks found each worth at most a
few hundredths, and the dilated second conv ahead of three separable blocks among the better designs (at 3,024 and
3,624 parameters). Scaling that one design keeps every step along the frontier a change of size only, not of design;
a deeper design might do better at the larger sizes, and the frontier does not search for it.
"""

from ..goal import GOAL_HELD, GOAL_PARAMS, GOAL_SEEDS, HOLD_Z, TARGET_ACC, goal_held
from ..recipes import tweak
from .trials import paired, runs_on, score

# The sizes, smallest first: 8 channels, a dilated conv of 8 (a 5x5 view), a max-pool, three separable blocks of N.
SPECS = (
    "8-d8-M-s16-s16-s16",  # 2,016
    "8-d8-M-s24-s24-s24",  # 3,024: the stretch goal's size
    "8-d8-M-s30-s30-s30",  # 3,948: the largest of the family within phase 5's goal of 4,000
    "8-d8-M-s36-s36-s36",  # 5,016
    "8-d8-M-s44-s44-s44",  # 6,664
)
ANCHOR = 3          # phase 4's model, 7,753: the frontier's largest point, under the same recipe as the sizes
SEEDS = tuple(range(1, 9))  # every size, the same 8 seeds
SMALL_BATCH = 64    # the small models' lever: batches of at most 64 (+0.105 +- 0.062 over 128 at 3,616 parameters)

# Other people's single runs from their public write-ups (not reproduced here): (parameters, last-5 minimum test
# accuracy, or None where only "held its last 5 epochs" is reported).
PEERS = ((6174, None), (4838, 99.34), (3762, 99.36))

RULE = (
    "score = the mean over seeds 1-8 of the minimum validation accuracy over the last 5 epochs. Every size (the "
    "anchor, phase 4's model, included) runs phase 4's recipe (round 3's pick) with batches of at most 64, on the same "
    "seeds. The level: the mean last-5 minimum at which a recipe with the seed-to-seed spread of phase 4's test-set "
    f"study (make study PHASE=4) holds on {GOAL_HELD} of every {GOAL_SEEDS} seeds, {TARGET_ACC:.2f} + {HOLD_Z:.4f} x "
    f"that study's standard deviation of the last-5 minimum ({HOLD_Z:.4f}: the normal quantile of "
    f"{GOAL_HELD / GOAL_SEEDS:g}), moved onto the validation split by the offset between "
    "phase 4's recipe on validation digits (its runs in round 3 of phase 4's trials, seeds 1-8, the frontier's) and "
    "on test digits (that study's mean). A size reaches the level when its score "
    "plus the standard error of its paired difference from phase 4's recipe (its round-3 runs of the same seeds) is "
    "at least the level. "
    "The pick: the fewest parameters among the sizes that reach it (none: no pick, and the record says so). The test "
    "studies: the pick, and the largest size within phase 5's goal of 4,000 parameters when the pick is larger")


def recipe(model, phase4: dict) -> dict:
    """Phase 4's recipe on ``model`` (a ``build_spec`` string or 3), with batches of at most ``SMALL_BATCH``."""
    changes = {"model": model}
    if phase4["train"]["batch_size"] > SMALL_BATCH:
        changes["train.batch_size"] = SMALL_BATCH
    return tweak(phase4, changes)


def calibrate(validation_runs: list[dict], study_summary: dict) -> dict:
    """The level on validation digits (``RULE``): ``level_test``, set by the spread of phase 4's test-set study
    (``study_summary``, ``utils.records.summarize``), plus the offset of phase 4's recipe between the validation and
    the test split (``validation_runs``: its validation runs, of which seeds ``SEEDS``, the frontier's own).

    Phase 4's own test mean moved by that offset would be its validation mean again, whatever the study said: the
    study speaks through its spread, which sets how far above the line a mean must sit to hold."""
    validation = score(validation_runs, SEEDS)
    test, spread = study_summary["mean_min_last"], study_summary["std_min_last"]
    offset = validation["mean"] - test
    level = TARGET_ACC + HOLD_Z * spread
    return {"validation_mean": validation["mean"], "validation_seeds": validation["seeds"], "test_mean": test,
            "test_std": spread, "test_seeds": study_summary["seeds"], "offset": offset, "level_test": level,
            "level_validation": level + offset, "held_on_test": goal_held(study_summary)}


def decide(sizes: list[dict], reference: list[dict], calibration: dict) -> dict:
    """The decision (``RULE``) over ``sizes`` (``{"name", "params", "runs"}`` each, the anchor included) against
    ``reference`` (phase 4's recipe's validation runs) and ``calibration`` (``calibrate``): each size's score, its
    paired difference from phase 4's recipe, its margin over the level, whether it reaches it; the pick and the
    sizes the test set studies."""
    level = calibration["level_validation"]
    table = {}
    for c in sorted(sizes, key=lambda c: c["params"]):
        s, d = score(c["runs"], SEEDS), paired(runs_on(c, SEEDS), runs_on({"runs": reference}, SEEDS))
        table[c["name"]] = {"params": c["params"], "score": s, "vs_phase4": d, "margin": s["mean"] - level,
                            "reaches": s["mean"] + d["se"] >= level}
    reaching = [name for name, row in table.items() if row["reaches"]]
    picked = reaching[0] if reaching else None
    within_goal = [name for name, row in table.items() if row["params"] <= GOAL_PARAMS]
    goal_size = within_goal[-1] if within_goal else None
    studies = [picked] if picked else []
    if goal_size and (picked is None or table[picked]["params"] > GOAL_PARAMS):
        studies.append(goal_size)  # "does <= 4,000 hold?" gets a direct answer
    level_words = (f"the level that holds on {GOAL_HELD} of every {GOAL_SEEDS} seeds ({calibration['level_test']:.3f}% "
                   f"on test: {TARGET_ACC:.2f} + {HOLD_Z:.4f} x {calibration['test_std']:.3f}, the seed spread of "
                   f"phase 4's study, which {'held' if calibration['held_on_test'] else 'did NOT hold'} at "
                   f"{calibration['test_mean']:.3f}%; {level:.3f}% on validation)")
    if picked is None:
        reason = f"no size reaches {level_words}"
    else:
        row = table[picked]
        reason = (f"{picked} ({row['params']:,} parameters, {row['score']['mean']:.3f}%) has the fewest parameters "
                  f"of the sizes that reach {level_words}: margin {row['margin']:+.3f}, paired standard error "
                  f"{row['vs_phase4']['se']:.3f}")
    return {"picked": picked, "reason": reason, "sizes": table, "studies": studies}
