"""The one table of phases: everything that generates, checks or tests the series reads it, the names of the results
files included (``WRITTEN_BY``: every file a command writes, and the command).

Adding a phase touches its notebook, its recipe (``utils.recipes``) and one row here.
"""

from dataclasses import dataclass

from . import recipes


@dataclass(frozen=True)
class Phase:
    number: int
    notebook: str                # notebooks/<notebook>.ipynb
    title: str                   # what the phase adds, as the README's tables name it
    recipe: dict                 # utils.recipes: model, epochs, optimiser, schedule, augmentation
    params: int                  # trainable parameters of the recipe's model (a test checks it against the model)
    figures: tuple[str, ...]     # image/<name>.png, written by the notebook
    study: str | None = None     # results/<study>: the seed study the notebook shows (``make study PHASE=N``)
    rounds: tuple[str, ...] = ()  # results/<file> of each round of the trials or search that chose the recipe (on
                                  # validation digits), round 1 first; finished rounds' records under results/past/
    chosen_round: int | None = None  # the round whose pick is the recipe
    command: str | None = None   # utils.commands.<command> runs the rounds; ``make <command>`` the latest one
    reported: tuple[int, float, float] | None = None  # the original write-up's (params, best train, best test acc)
    compared_with: tuple[tuple[str, dict], ...] = ()  # other recipes its seed study runs beside its own, by name
    compared_seeds: tuple[int, ...] = tuple(range(1, 6))  # the seeds its study runs each of them under
    goal: bool = False           # judged by phase 5's parameter goal (report.verdicts.goal_answer) beside the mission
    earlier: tuple[tuple[str, str], ...] = ()  # (label, results/<file>): studies of the phase's earlier recipes, still
                                               # points of the series figure
    analysis: str = ""           # its Analysis, written by utils.report.analysis.WRITERS[analysis]

    @property
    def chosen_by(self) -> str | None:
        """results/<file>: the trials or search that chose the recipe."""
        return self.rounds[self.chosen_round - 1] if self.chosen_round else None


PHASES = (
    Phase(1, "01_baseline", "baseline", recipes.PHASE1, 7896, ("phase1_history", "phase1_misclassified"),
          reported=(7896, 99.04, 98.88), analysis="baseline"),
    Phase(2, "02_batchnorm", "+ BatchNorm", recipes.PHASE2, 7974,
          ("batch_norm", "phase2_history", "phase2_misclassified"), reported=(7974, 99.43, 99.21),
          analysis="batchnorm"),
    Phase(3, "03_gap_augmentation", "+ GAP, augmentation, higher LR", recipes.PHASE3, 7753,
          ("phase3_augmentation", "v2_val_accuracy", "phase3_history", "phase3_misclassified"),
          reported=(7753, 98.72, 99.30), analysis="gap"),
    Phase(4, "04_lr_scheduler", "+ MultiStepLR, peak lr 0.1, an EMA of the weights, batches of 64", recipes.PHASE4,
          7753,
          ("phase4_trials", "phase4_history", "LR_scheduler", "phase4_misclassified", "phase4_seed_study"),
          study="phase4_study.json",
          rounds=("past/phase4_trials.json", "past/phase4_trials_round2.json", "phase4_trials_round3.json",
                  "phase4_trials_round4.json"),
          chosen_round=3, command="trials", reported=(7753, 98.75, 99.47),
          compared_with=(("original write-up's recipe", recipes.WRITE_UP_PHASE4),), analysis="schedule"),
    Phase(5, "05_smallest_model", "beyond the original write-up: phase 4's recipe on a smaller model",
          recipes.PHASE5, 6664,
          ("phase5_frontier", "phase5_history", "phase5_misclassified", "phase5_seed_study", "series_params_accuracy"),
          study="phase5_study.json",
          rounds=("past/phase5_search.json", "past/phase5_search_round2.json", "phase5_frontier.json",
                  "phase5_round4.json"),
          chosen_round=3, command="search", goal=True, analysis="frontier",
          compared_with=(("the largest size within the goal", recipes.PHASE5_WITHIN_GOAL),),
          compared_seeds=tuple(range(1, 11)),
          earlier=(("round 1", "phase5_seeds.json"), ("round 2", "past/phase5_study_round2.json"))),
)
BY_NUMBER = {phase.number: phase for phase in PHASES}
RECIPES = {phase.number: phase.recipe for phase in PHASES}  # phase -> recipe, as the notebooks read it


def phase(number: int) -> Phase:
    if number not in BY_NUMBER:
        raise ValueError(f"phase must be one of {', '.join(map(str, BY_NUMBER))}, got {number!r}")
    return BY_NUMBER[number]


# Every seed study that looked at the test set, in the order they ran: (date, phase, what was studied, results/<file>,
# what it sent back). Each study that sent the project back to the trials spent some of the test set's independence:
# the next pick was chosen on validation digits, but the decision to look for one followed a look at the test set.
TEST_SET_STUDIES = (
    ("2026-11-27", 4, "an earlier revision's recipe F (tuned on seed 1's test accuracy) and its write-up comparison",
     "past/phase4_study_F.json",
     "a recipe tuned on the test set proves nothing: trials on validation digits (round 1)"),
    ("2026-11-27", 4, "round 1's pick, C", "past/phase4_study_C.json",
     "short of every seed: round 2 of the trials, powered, aimed at the end-of-run stability"),
    ("2026-11-27", 5, "round 1's pick of the search", "phase5_seeds.json", "short of the goal: round 2 of the search"),
    ("2026-11-28", 4, "round 2's pick, C + an EMA of the weights", "past/phase4_study_round2.json",
     "short of the target: round 3 of the trials, levers aimed at the mean"),
    ("2026-11-28", 5, "round 2's pick of the search", "past/phase5_study_round2.json",
     "far short of the goal: the frontier over model sizes (issue 28)"),
    ("2026-11-30", 4, "round 3's pick: round 2's + batches of 64", "phase4_study.json",
     "the target held: phase 5's frontier runs under this recipe (issue 28)"),
    ("2026-12-01", 5, "the frontier's pick, 6,664 parameters, and the largest size within the goal, 3,948",
     "phase5_study.json", "both short of the target, their seeds spread wider than phase 4's, which the frontier's "
     "level assumed: the smallest model measured to hold stays phase 4's (no further look yet)"),
)


def rounds_of(command: str) -> tuple[str, ...]:
    """The results files, round 1 first, of the trials or search that ``utils.commands.<command>`` runs."""
    return next(row.rounds for row in PHASES if row.command == command)


def result_file(number: int, kind: str = "json") -> str:
    """results/<file> of a phase's notebook run: its record ("json") or its trained weights ("pt")."""
    return f"phase{number}.{kind}"


SPREAD = "spread.json"  # the phases without a seed study of their own under more seeds (``make spread``)


def _written_by() -> dict[str, str]:
    files = {SPREAD: "make spread"}
    for row in PHASES:
        for number, file in enumerate(row.rounds, start=1):
            files[file] = (f"make {row.command}" if number == len(row.rounds) else
                           f"python -m utils.commands.{row.command} --round {number}" if number >= row.chosen_round
                           else f"a finished round: restore results/{file} from git (its code is in git's history)")
        if row.study:
            files[row.study] = f"make study PHASE={row.number}"
        for label, file in row.earlier:
            files[file] = (f"phase {row.number}'s study of {label}'s pick (restore the file from git: nothing records "
                           "it now)")
    return files


WRITTEN_BY = _written_by()  # results/<file> -> the command that writes it: the error for a missing file names it
