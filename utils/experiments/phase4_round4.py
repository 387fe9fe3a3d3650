"""Phase 4's trials, round 4 (``make trials``): recipes aimed at the mean, each judged by a level built from its own
seed spread. Committed before any of its runs: the base, the candidates, the stages and the rule (``PLAN``).

Why: over 20 fresh test seeds today's recipe holds on 18 (mean last-5 minimum 99.469, sd 0.045); holding on 9 of
every 10 seeds with a margin that survives a fresh draw needs a mean near 99.48-99.49 at that spread.
"""

from ..goal import HOLD_Z, TARGET_ACC
from ..phases import WRITTEN_BY, phase
from ..recipes import PHASE4_ROUND3, tweak
from ..records import as_recorded, load
from .driver import Candidate, Entries, Plan, Stage
from .loaders import study_of
from .trials import choose, own_levels, paired, paired_text, runs_on, score, survivors

BASE = PHASE4_ROUND3  # today's phase 4 recipe, round 3's pick: the base every candidate changes
ONE_CYCLE = {"name": "onecycle", "warmup_epochs": 2, "anneal_until": 11}  # + start and floor, per optimiser

CANDIDATES = (
    Candidate("base", "", BASE),
    Candidate("onecycle", "one cycle: lr 0.03 -> 0.3 over 2 epochs, half a cosine down to 0.001 by the end of "
              "epoch 11, then 0.001 held through the judged epochs",
              tweak(BASE, {"optimizer.lr": 0.3, "schedule": {**ONE_CYCLE, "start": 0.03, "floor": 0.001}}),
              ("onecycle",)),
    Candidate("wd+nesterov", "weight decay 1e-4 and Nesterov momentum",
              tweak(BASE, {"optimizer.weight_decay": 1e-4, "optimizer.nesterov": True}), ("wd+nesterov",)),
    Candidate("milder-aug", "augmentation at half its ranges: rotation 5 degrees, shifts 5%, zoom 0.95-1.05, "
              "brightness and contrast 0.1",
              tweak(BASE, {"augment": {"degrees": 5.0, "translate": (0.05, 0.05), "scale": (0.95, 1.05),
                                       "brightness": 0.1, "contrast": 0.1}}), ("milder-aug",)),
    Candidate("adamw-onecycle", "AdamW (weight decay 0.01) under one cycle: lr 0.001 -> 0.01 over 2 epochs, down "
              "to 0.0001 by the end of epoch 11, then held",
              tweak(BASE, {"optimizer": {"name": "adamw", "lr": 0.01, "betas": (0.9, 0.999), "weight_decay": 0.01},
                           "schedule": {**ONE_CYCLE, "start": 0.001, "floor": 0.0001}}), ("adamw-onecycle",)),
    Candidate("drops-7-10", "lr / 10 after epochs 7 and 10 instead of 8 and 12: the judged epochs 11-15 all at "
              "the lowest lr", tweak(BASE, {"schedule.milestones": (7, 10)}), ("drops-7-10",)),
    Candidate("separable-7.8k", "the separable family at 7,824 parameters (8-d8-M-s49-s49-s49) instead of phase 3's "
              "model", tweak(BASE, {"model": "8-d8-M-s49-s49-s49"}), ("separable-7.8k",)),
)
SEEDS = {"1": (1, 2, 3, 4), "2": (5, 6, 7, 8), "3": tuple(range(9, 17))}
FIRST8, ALL16 = SEEDS["1"] + SEEDS["2"], SEEDS["1"] + SEEDS["2"] + SEEDS["3"]
STUDY_SEEDS = tuple(range(101, 121))  # the pick's test study: 20 seeds no trial or study had used
ROUND3 = phase(4).rounds[2]  # the base's runs (seeds 1-16, compiled, batches of 64) are round 3's

RULE = (
    "score = the mean over seeds of the minimum validation accuracy over the last 5 epochs; candidates are compared "
    "through the paired difference over the same seeds and its standard error. Every run through torch.compile. "
    "The base (today's recipe) is in every stage; round 3's runs of the same recipe are reused only where they ran on "
    "the same platform and compile setting (else the base trains like every candidate). Stage 1: every "
    "candidate, seeds 1-4. Stage 2: the candidates not worse than the best by more than two paired standard errors "
    "(seeds 1-4) run seeds 5-8. Stage 3: over seeds 1-8, the best of stage 2 and the candidate with the fewest "
    "levers within one paired standard error of it run seeds 9-16. Decision over seeds 1-16, among stage 3's "
    "candidates and the base: the best, unless one with fewer levers is within one paired standard error of it; it "
    "replaces today's recipe only when its paired gain over the base exceeds one standard error. Each candidate's "
    f"level: the mean at which its own seed spread holds on 9 of every 10 seeds, {TARGET_ACC:.2f} + {HOLD_Z:.4f} x "
    "its standard deviation of the last-5 minimum on validation digits, "
    "moved onto validation digits by phase 4's offset between the splits (the base's validation mean over seeds "
    "1-16 minus the test mean of phase 4's study, seeds 1-10). A candidate is expected to hold when its mean plus "
    "the standard error of its paired difference from the base reaches its level. A pick other than the base gets "
    "a test study on seeds 101-120")


def _reuse(results) -> Entries:
    """The base's runs from round 3, where round 3 ran this very recipe (compiled, on seeds 1-16): the driver keeps
    those of this platform."""
    round3 = load(ROUND3, results, required=False) or {}
    same = next((c for c in round3.get("candidates", []) if c["recipe"] == as_recorded(BASE)), None)
    if same is None or not round3.get("compiled"):
        return {}
    return {"base": {"recipe": same["recipe"], "runs": same["runs"], "source": f"results/{ROUND3}, {same['name']}"}}


def _stage1(entries: Entries) -> list[str]:
    return [c.name for c in CANDIDATES]


def _stage2(entries: Entries) -> list[str]:
    """The base (the reference: round 3's runs, nothing to train) and every candidate not worse than the best by more
    than two paired standard errors over seeds 1-4."""
    return list(dict.fromkeys(["base", *survivors([entries[name] for name in _stage1(entries)], SEEDS["1"])]))


def _stage3(entries: Entries) -> list[str]:
    """The base, and over seeds 1-8 the best of stage 2 and the candidate with the fewest levers tied with it."""
    best, simplest, _, _ = choose([entries[name] for name in _stage2(entries)], FIRST8)
    return list(dict.fromkeys(["base", best["name"], simplest["name"]]))


def levels(entries: Entries, results) -> dict:
    """Each candidate's own level (``trials.own_levels``), phase 4's offset between the splits taken from the base."""
    study = study_of(4, BASE, results)["recipes"][0]["runs"]
    offset = score(entries["base"]["runs"], ALL16)["mean"] - score(study, range(1, 11))["mean"]
    return {"offset": offset, "candidates": own_levels(entries, "base", offset)}


def decide(entries: Entries, results) -> dict:
    """The decision over seeds 1-16 (``RULE``): among stage 3's candidates, the base included."""
    finalists = [entries[name] for name in _stage3(entries)]
    _, chosen, comparisons, reason = choose(finalists, ALL16, over=" over seeds 1-16")
    vs_base = paired(runs_on(chosen, ALL16), runs_on(entries["base"], ALL16))
    beats = chosen["name"] != "base" and vs_base["mean"] > vs_base["se"]
    if chosen["name"] != "base":
        reason += (f"; against the base {paired_text(vs_base)} over {vs_base['seeds']} seeds: "
                   + ("better by more than one standard error" if beats else "no detectable gain, the base stays"))
    picked = chosen["name"] if beats else "base"
    return {"picked": picked, "reason": reason, "comparisons": comparisons, "vs_base": vs_base,
            "levels": levels(entries, results), "study": list(STUDY_SEEDS) if picked != "base" else []}


# The pick its record holds (a test checks that they agree): phase 4's recipe from the notebooks' next run on, and the
# recipe that phase 5's round 4 runs.
PICKED = "wd+nesterov"

PLAN = Plan(command=WRITTEN_BY[phase(4).rounds[3]], file=phase(4).rounds[3], rule=RULE, candidates=CANDIDATES,
            stages=(Stage(SEEDS["1"], _stage1), Stage(SEEDS["2"], _stage2), Stage(SEEDS["3"], _stage3)),
            decide=decide, compile=True, reuse=_reuse)
