"""A phase's records as its notebook shows them, found through the phase table: the trials or search that chose its
recipe, and its seed study (refused when it is of another recipe than the phase's)."""

from ..phases import TEST_SET_STUDIES, phase as phase_row
from ..records import as_recorded, load


def load_trials(phase: int, results=None) -> dict:
    """The trials (phase 4) or the search (phase 5) that chose the phase's recipe, as the command recorded it."""
    return load(phase_row(phase).chosen_by, results)


def load_study(phase: int, results=None) -> dict:
    """The seed study of ``phase`` as recorded (``make study PHASE=N``); an error, not a stale table, when its first
    recipe is not the phase's recipe of today (the recipe changed since: record the study again), or when a recipe
    lacks some of the seeds the study asked for (a study still running, or stopped: finish it)."""
    row = phase_row(phase)
    study = load(row.study, results)
    recorded, recipe = study["recipes"][0]["recipe"], as_recorded(row.recipe)
    if recorded != recipe:
        changed = ", ".join(key for key in recipe if recorded.get(key) != recipe[key])
        raise ValueError(f"results/{row.study} records another recipe than phase {phase}'s (it differs in: {changed}):"
                         f" run make study PHASE={phase} to record the study of this one")
    _complete(study, row.study, phase)
    return study


def _complete(study: dict, file: str, phase: int) -> None:
    asked = [study["seeds"]] + [study["compared_seeds"]] * (len(study["recipes"]) - 1)
    for entry, seeds in zip(study["recipes"], asked):
        have = {run["seed"] for run in entry["runs"]}
        if not have >= set(seeds):
            raise ValueError(f"results/{file} is not complete: {entry['name']} has {len(have & set(seeds))} of "
                             f"its {len(seeds)} seeds; run make study PHASE={phase} to finish it")


def study_of(phase: int, recipe: dict, results=None) -> dict:
    """The first seed study of ``phase`` on the test split, in the order they ran (``TEST_SET_STUDIES``), whose own
    recipe is ``recipe``: a round's rule finds the study of the recipe it ran wherever that study is kept. An error
    when none is recorded, or when it is not complete."""
    for _, number, _, file, _ in TEST_SET_STUDIES:
        study = load(file, results, required=False) if number == phase else None
        if study and study["recipes"][0]["recipe"] == as_recorded(recipe):
            _complete(study, file, phase)
            return study
    raise ValueError(f"no seed study of phase {phase} on the test split records this recipe yet: study it "
                     f"(make study PHASE={phase}) and list the study in utils.phases.TEST_SET_STUDIES")
