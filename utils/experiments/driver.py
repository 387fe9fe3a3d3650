"""The experiment driver: a round of trials or of a search is a ``Plan``, and ``run_plan`` runs any plan.

A plan holds its candidates as whole recipes, its stages (each a set of seeds and a function that names, from the
runs recorded so far, who runs them) and its rule (a function from the recorded runs to the pick and the reason).
``run_plan`` runs the stages in order, records every run as it finishes (``Recording``: an interrupted command keeps
what it finished, and a re-run trains only what is missing) and writes the decision once the last stage is done.
Runs recorded earlier of the very same recipe and seed (``Plan.reuse``) are taken, not trained again, when they ran on
this platform (device, CPU model and instruction sets, torch) and with the plan's compile setting: a comparison within
a stage is then between runs of one platform. The record says where reused runs came from.
"""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..core.machine import platform_record
from ..core.models import build_model, count_parameters
from ..phases import PHASES
from ..records import as_recorded, write_json
from .runner import Recording
from .trials import SPLIT

Entries = dict[str, dict]  # candidate name -> {"name", "what", "levers", "params", "recipe", "runs", ...}


@dataclass(frozen=True)
class Candidate:
    name: str
    what: str                       # what it changes against the plan's base, in words ("" for the base)
    recipe: dict                    # the whole recipe (utils.recipes' shape)
    levers: tuple[str, ...] = ()    # the changes it makes against the base: a tie goes to fewer

    def entry(self) -> dict:
        params = count_parameters(build_model(self.recipe["model"]))
        return {"name": self.name, "what": self.what, "levers": list(self.levers), "params": params,
                "recipe": self.recipe, "runs": []}


@dataclass(frozen=True)
class Stage:
    seeds: tuple[int, ...]
    who: Callable[[Entries], list[str]]  # from the entries recorded so far to the names that run ``seeds``


@dataclass(frozen=True)
class Plan:
    command: str                    # the command that runs it, as recorded
    file: str                       # results/<file>
    rule: str                       # the rule in words, as recorded
    candidates: tuple[Candidate, ...]
    stages: tuple[Stage, ...]
    decide: Callable[[Entries, Path], dict]  # (entries, results folder) -> {"picked", "reason", ...}
    compile: bool = False           # every run's training step through torch.compile
    split: str = "validation"
    reuse: Callable[[Path], Entries] = field(default=lambda results: {})  # name -> {"recipe", "runs", "source"}

    def candidate(self, name: str) -> Candidate:
        return next(c for c in self.candidates if c.name == name)

    @property
    def round(self) -> int:
        """Its number among its phase's rounds (``utils.phases``)."""
        return next(row.rounds.index(self.file) + 1 for row in PHASES if self.file in row.rounds)


SAME_PLATFORM = ("device", "cpu", "cpu_capability", "torch")  # what must match for a recorded run to be reused


def platform_here() -> dict:
    return platform_record("cpu")


def _reusable(earlier: dict, compile: bool) -> dict:
    """``earlier`` (``{"recipe", "runs", "source"}``) with only the runs of this platform and compile setting."""
    here = platform_here()
    runs = [run for run in earlier["runs"] if all(run.get("platform", {}).get(key) == here[key] for key in SAME_PLATFORM)
            and bool(run.get("platform", {}).get("torch_compile")) == compile]
    return {**earlier, "runs": runs}


def run_plan(plan: Plan, workers: int, results: Path, data_dir=None, out: Path | None = None, log=print) -> dict:
    """Run ``plan``'s stages in order, recording into ``out`` (default ``results/<plan.file>``), then decide."""
    out = out or results / plan.file
    recording = Recording(out)
    offered = plan.reuse(results)
    reused = {name: _reusable(earlier, plan.compile) for name, earlier in offered.items()}
    reused = {name: earlier for name, earlier in reused.items() if earlier["runs"]}
    for name, earlier in offered.items():
        held = recording.previous.get(name)
        if held is None:
            if name in reused:
                recording.previous[name] = reused[name]
            continue
        # a run the record took from elsewhere stays only while it is still reusable here
        borrowed = [run for run in earlier["runs"] if run not in reused.get(name, {}).get("runs", [])]
        held["runs"] = [run for run in held["runs"] if run not in borrowed]
    stages: dict[str, dict] = {}

    def write(**decision) -> dict:
        record = {"command": plan.command, "round": plan.round, "split": SPLIT, "rule": plan.rule,
                  "compiled": plan.compile, "stages": stages, "complete": bool(decision),
                  "candidates": recording.done(summary=True), **decision}
        write_json(out, record)
        return record

    for number, stage in enumerate(plan.stages, start=1):
        names = stage.who({entry["name"]: entry for entry in recording.done()})
        stages[str(number)] = {"seeds": list(stage.seeds), "candidates": names}
        jobs = []
        for seed in stage.seeds:  # seed-major: a partial record holds every candidate's first seeds
            for name in names:
                entry = plan.candidate(name).entry()
                if name in reused and reused[name]["recipe"] == as_recorded(entry["recipe"]):
                    entry["source"] = reused[name]["source"]
                jobs += recording.plan(entry, [seed], split=plan.split, data_dir=data_dir, compile=plan.compile)
        log(f"stage {number}: {', '.join(names)} on seeds {list(stage.seeds)}: {len(jobs)} runs to train")
        recording.run(jobs, workers, write, log)
    record = write(**plan.decide({entry["name"]: entry for entry in recording.done()}, results))
    log(f"picked {record['picked']}: {record['reason']}")
    return record
