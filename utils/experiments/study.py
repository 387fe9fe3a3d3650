"""The seed study: the same recipe under several seeds, to show whether 99.4% is held or only touched."""

import time
from dataclasses import dataclass

from ..core.machine import platform_record
from ..core.runs import train_recipe
from ..goal import HOLD_EPOCHS
from ..records import recipe_of, run_row, summarize


@dataclass
class SeedStudy:
    name: str
    config: dict
    runs: list[dict]  # one ``utils.records.run_row`` per seed, ``acc`` on the test digits

    def summary(self) -> dict:
        return summarize(self.runs)

    def as_dict(self) -> dict:
        return {"name": self.name, "recipe": recipe_of(self.config), "runs": self.runs, "summary": self.summary()}


def run_seed_study(name: str, config: dict, seeds: list[int], device, done: dict | None = None,
                   log=print) -> SeedStudy:
    """Train ``config`` once per seed (each a complete run: seeding, model, loaders, training) and tabulate.

    ``done`` maps a seed to the ``History`` of a run of this very config already made (the notebook's headline
    run), which is reused instead of trained again: the same seed gives the same run on the same machine.
    One line per seed through ``log``; a progress bar while each run trains, gone when it ends.
    """
    runs = []
    for index, seed in enumerate(seeds, start=1):
        start = time.perf_counter()
        if done and seed in done:
            history, source = done[seed], "the headline run above, reused"
        else:
            _, history = train_recipe({**config, "seed": seed}, device, leave=False, log=None)
            source = f"{time.perf_counter() - start:.0f} s"
        runs.append(run_row(seed, history.test_acc))
        log(f"{name}, seed {seed} ({index}/{len(seeds)}): last-{HOLD_EPOCHS} minimum {runs[-1]['min_last']:.2f}%, "
            f"final {runs[-1]['final']:.2f}% ({source})")
    return SeedStudy(name, config, runs)


def study_record(studies: dict, device) -> dict:
    """A notebook's seed studies (name -> ``SeedStudy``, all over the same seeds) as ``results/phase{N}_seeds.json``
    records them: the seeds, each recipe's runs and summary, and the platform they ran on."""
    first = next(iter(studies.values()))
    return {"seeds": [run["seed"] for run in first.runs], "recipes": [study.as_dict() for study in studies.values()],
            "platform": platform_record(device)}
