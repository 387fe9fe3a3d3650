"""Runs many trainings and records each as it finishes: the trials and searches on the validation split, the seed
studies and the seed spread of phases 1-3 on the test split.

One loop serves every driver, ``driver.run_plan`` included (``Recording``): each record file is rewritten after every
finished run, so an interrupted command keeps what it finished, and a re-run skips the runs already recorded with the
same recipe and seed. Runs go to worker processes, each with its share of the cores (on 2 cores: 2 processes of 1
thread, which the bench measured as the better layout), on the CPU or a GPU. The drivers here: round 3 of phase 4's
trials and phase 5's frontier (the rounds that chose today's recipes), the seed studies and the spread.
"""

import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from ..core.machine import platform_record
from ..core.models import build_model, count_parameters
from ..core.runs import run_config, train_recipe
from ..core.runtime import pick_device
from ..phases import PHASES, WRITTEN_BY, phase as phase_row, rounds_of
from ..recipes import PHASE4_ROUND3
from ..records import as_recorded, load, run_row, summarize, write_json
from . import frontier as frontier_rules, round3 as round3_rules
from .loaders import study_of
from .trials import SPLIT


def _train_one(key, config: dict, threads: int) -> tuple:
    """In a worker process: one complete run; returns ``(key, row)``."""
    import torch  # the worker's own torch, limited to its share of the cores
    torch.set_num_threads(threads)
    device = pick_device(config["device"])
    start = time.perf_counter()
    _, history = train_recipe(config, device, progress=False, log=None)
    platform = {**platform_record(device), **({"torch_compile": True} if config["compile"] else {})}
    return key, run_row(config["seed"], history.test_acc, time.perf_counter() - start, platform)


def _threads(workers: int) -> int:
    """Each worker's share of the cores when ``workers`` run at a time."""
    return max(1, (os.cpu_count() or 1) // workers)


def run_pool(jobs: list[tuple], workers: int, on_done, log=print) -> None:
    """Run ``jobs`` (``(key, config)`` pairs) in ``workers`` processes, each with cores / workers threads."""
    threads = _threads(workers)
    log(f"{len(jobs)} runs, {workers} at a time, {threads} thread(s) each")
    # CUDA cannot be used in a forked child: GPU workers start as fresh interpreters
    context = multiprocessing.get_context("spawn" if any(config["device"] != "cpu" for _, config in jobs) else None)
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [pool.submit(_train_one, key, config, threads) for key, config in jobs]
        for done, future in enumerate(as_completed(futures), start=1):
            key, row = future.result()
            on_done(key, row)
            left = (time.perf_counter() - start) / done * (len(jobs) - done) / 60  # at the pace so far
            log(f"[{done}/{len(jobs)}] {key}, seed {row['seed']}: last-5 min {row['min_last']:.2f}, final "
                f"{row['final']:.2f} ({row['seconds']:.0f} s" + (f"; about {left:.0f} min left)" if left else ")"))


def run_recorded(jobs: list[tuple], workers: int, entries: dict, write, log=print) -> None:
    """Run ``jobs``; each finished run's row joins ``entries[key]["runs"]`` and ``write()`` records the file again."""
    def on_done(key, row):
        entries[key]["runs"].append(row)
        write()

    run_pool(jobs, workers, on_done, log)


def _load(path: Path) -> dict | None:
    return load(path.name, path.parent, required=False)


def _recorded(entry: dict | None, recipe: dict, seed: int) -> dict | None:
    """The run of ``seed`` already in ``entry``, if it was made with this very recipe."""
    if entry is None or entry["recipe"] != as_recorded(recipe):
        return None
    return next((run for run in entry["runs"] if run["seed"] == seed), None)


class Recording:
    """The entries of one record file (``{"name", "recipe", "runs", ...}`` each, by name, in the order first planned),
    resumed from the file ``out`` holds: every driver's resume-and-record loop."""

    def __init__(self, out: Path, group: str = "candidates"):
        self.previous = {entry["name"]: entry for entry in (_load(out) or {}).get(group, [])}
        self.entries: dict[str, dict] = {}

    def plan(self, entry: dict, seeds, recipe: dict | None = None, **options) -> list[tuple]:
        """The runs ``entry`` (added on first sight, by name) still needs under ``seeds``: a seed it has is skipped, a
        seed the resumed file has of the same recipe is kept; the rest are jobs of ``recipe`` (default: the entry's)
        with ``options`` (``run_config``'s)."""
        entry = self.entries.setdefault(entry["name"], entry)
        recipe = entry["recipe"] if recipe is None else recipe
        jobs = []
        for seed in seeds:
            if any(run["seed"] == seed for run in entry["runs"]):
                continue
            kept = _recorded(self.previous.get(entry["name"]), recipe, seed)
            if kept:
                entry["runs"].append(kept)
            else:
                jobs.append((entry["name"], run_config(recipe, seed=seed, **{"device": "cpu", **options})))
        return jobs

    def run(self, jobs: list[tuple], workers: int, write, log=print) -> None:
        run_recorded(jobs, workers, self.entries, write, log)

    def done(self, summary: bool = False) -> list[dict]:
        """Every entry with its runs in seed order (and, with ``summary``, their summary: None before any run)."""
        listed = []
        for entry in self.entries.values():
            runs = sorted(entry["runs"], key=lambda run: run["seed"])
            listed.append({**entry, "runs": runs,
                           **({"summary": summarize(runs) if runs else None} if summary else {})})
        return listed


def round3(workers: int, out: Path, data_dir=None, log=print, compile: bool = True) -> dict:
    """Phase 4's trials, round 3: the four stages and the decision of ``utils.experiments.round3.RULE``, each stage
    planned from the runs before it. ``compile``: every run's training step through ``torch.compile`` (not
    bit-identical to eager: a run of its own; noted in the record and in each run)."""
    recording = Recording(out)
    entries, stages = recording.entries, {}

    def write(**decision) -> dict:
        record = {"command": WRITTEN_BY[rounds_of("trials")[2]], "round": 3, "split": SPLIT, "rule": round3_rules.RULE,
                  "compiled": compile, "stage_seeds": {k: list(v) for k, v in round3_rules.STAGE_SEEDS.items()},
                  "stages": stages, "complete": bool(decision), "candidates": recording.done(), **decision}
        write_json(out, record)
        return record

    def run(stage: str, plan: list[tuple[str, ...]]) -> list[dict]:
        stages[stage] = [round3_rules.name_of(levers) for levers in plan]
        jobs = []
        for seed in round3_rules.STAGE_SEEDS[stage]:  # seed-major: a partial file holds every candidate's first seeds
            for levers in plan:
                jobs += recording.plan({
                    "name": round3_rules.name_of(levers), "levers": list(levers),
                    "recipe": round3_rules.recipe(levers), "runs": [],
                    "what": "; ".join(round3_rules.LEVERS[lever][0] for lever in levers) or "round 2's pick"},
                    [seed], split="validation", data_dir=data_dir, compile=compile)
        log(f"stage {stage}: {', '.join(stages[stage]) or 'nothing to run'}")
        recording.run(jobs, workers, write, log)
        return [entries[name] for name in stages[stage]]

    stage1 = run("1", [()] + [(lever,) for lever in round3_rules.SINGLES])
    stage2 = run("2", round3_rules.combinations(stage1))
    stage3 = run("3", [tuple(entries[name]["levers"]) for name in round3_rules.survivors(stage1 + stage2)])
    stage4 = run("4", [tuple(entries[name]["levers"]) for name in round3_rules.finalists(stage3)])
    record = write(**round3_rules.decide(stage4, entries["base"]))
    log(f"picked {record['picked']}: {record['reason']}")
    return record


def _frontier_reference(results: Path) -> tuple[str, dict, list[dict]]:
    """Phase 4's recipe in round 3 of phase 4's trials, which must have picked it: ``(file, entry, candidates)``."""
    file = rounds_of("trials")[2]
    trials4 = _load(results / file) or {}
    entry = next((c for c in trials4.get("candidates", []) if c["name"] == trials4.get("picked")), None)
    if not trials4.get("complete") or entry is None or entry["recipe"] != as_recorded(PHASE4_ROUND3):
        raise ValueError(f"the frontier runs under phase 4's recipe as round 3 of its trials chose it "
                         f"(utils.recipes.PHASE4_ROUND3): finish `{WRITTEN_BY[file]}` (results/{file}) first")
    return file, entry, trials4["candidates"]


def frontier(workers: int, out: Path, data_dir=None, log=print, compile: bool = False) -> dict:
    """Phase 5's frontier: every size of ``utils.experiments.frontier`` and phase 4's model under one recipe and the
    same seeds, then the decision, by its ``RULE``. The decision waits for phase 4's test-set study of the same recipe
    (its calibration); until then the record holds the runs, ``complete`` false. When round 3 of phase 4's trials ran
    the anchor's very recipe (phase 4's own, or its batch-64 lever when phase 4's batches are larger), the anchor's
    runs are round 3's (the same seeds, through torch.compile), not trained again.

    The sizes run eager unless ``compile``: torch.compile makes phase 4's plain convolutions faster on a CPU (about
    650-700 s a run against about 960 eager, 2 runs at a time) but the small models' depthwise ones slower (711 and
    733 s for the first two sizes' seed 1, against 300-500 s eager for models like them). Eager and compiled runs are
    not bit-identical, and no difference is detected between them: one recipe eager and compiled, seeds 1-8, differs
    by -0.023 +- 0.019 points."""
    rules = frontier_rules
    file, reference, trialled = _frontier_reference(out.parent)  # before any training: a wrong recipe costs no run
    phase4 = PHASE4_ROUND3
    recording = Recording(out)
    anchor = "phase 4's model"
    entries = [_sized({"name": spec, "recipe": rules.recipe(spec, phase4), "runs": []}, spec) for spec in rules.SPECS]
    entries.append(_sized({"name": anchor, "recipe": rules.recipe(rules.ANCHOR, phase4), "runs": []}, rules.ANCHOR))
    same = next((c for c in trialled if c["recipe"] == as_recorded(entries[-1]["recipe"])), None)
    if same and anchor not in recording.previous:  # round 3 ran the anchor's very recipe
        entries[-1]["source"] = f"results/{file}, {same['name']}"
        recording.previous[anchor] = {"recipe": same["recipe"], "runs": same["runs"]}
    jobs = [job for seed in rules.SEEDS for entry in entries  # seed-major: a partial file holds every size's first
            for job in recording.plan(entry, [seed], split="validation", data_dir=data_dir, compile=compile)]

    def write(**decision) -> dict:
        record = {"command": WRITTEN_BY[rounds_of("search")[2]], "round": 3, "split": SPLIT, "rule": rules.RULE,
                  "compiled": compile, "seeds": list(rules.SEEDS),
                  "reference": {"name": f"phase 4 ({reference['name']})", "source": f"results/{file}",
                                "runs": reference["runs"]},
                  "complete": bool(decision), "candidates": recording.done(summary=True), **decision}
        write_json(out, record)
        return record

    log(f"the frontier: {len(entries)} sizes x {len(rules.SEEDS)} seeds")
    recording.run(jobs, workers, write, log)
    try:
        study = study_of(4, phase4, out.parent)
    except (FileNotFoundError, ValueError) as missing:
        log(f"the runs are recorded; the decision waits for phase 4's test-set study of this recipe: {missing}")
        return write()
    calibration = rules.calibrate(reference["runs"], summarize(study["recipes"][0]["runs"]))
    record = write(calibration=calibration, **rules.decide(recording.done(), reference["runs"], calibration))
    log(f"picked {record['picked']}: {record['reason']}")
    return record


def _sized(entry: dict, model) -> dict:
    """A phase-5 entry with ``model``'s parameter count, shown where phase 4's entries show their lever."""
    params = count_parameters(build_model(model))
    return {**entry, "levers": f"{params:,}", "params": params}


def study(phase: int, seeds: list[int], compared_seeds: list[int], workers: int, out: Path, data_dir=None,
          log=print, compile: bool = False, command: str | None = None, device: str = "cpu",
          recipe: dict | None = None) -> dict:
    """Phase ``phase``'s seed study on the test split (``make study``): its own recipe under ``seeds`` and each recipe
    it is compared with (``utils.phases.Phase.compared_with``) under ``compared_seeds``, each seed a complete run in
    a worker process, recorded as it finishes (``compile``: each through ``torch.compile``, noted in its row;
    ``command``: the command that asked, as recorded; ``device``: where each run trains; ``recipe``: another recipe
    in place of the phase's, as ``--pick`` asks). On the CPU the first of
    ``seeds`` runs first, alone with every core, as the notebook runs it, so that the notebook and the study hold one
    run, bit for bit; the rest run ``workers`` at a time."""
    row = phase_row(phase)
    plan = [("final recipe", row.recipe if recipe is None else recipe, seeds)] + [
        (name, other, compared_seeds) for name, other in row.compared_with if compared_seeds]
    recording = Recording(out, group="recipes")
    # a first seed recorded with fewer threads than every core is not the notebook's run: it runs again, replacing it
    own, alone = recording.previous.get(plan[0][0]), _threads(1)
    if own:
        own["runs"] = [run for run in own["runs"] if run["seed"] != seeds[0]
                       or run.get("platform", {}).get("threads", alone) == alone]
    for name, recipe, wanted in plan:
        dropped = sorted({run["seed"] for run in (recording.previous.get(name) or {}).get("runs", [])} - set(wanted))
        if dropped and _recorded(recording.previous.get(name), recipe, dropped[0]):
            raise ValueError(f"{out} records seeds {dropped} of {name!r} that this call does not ask for: ask for "
                             f"them too, or write to another file (--out), rather than drop recorded runs")
    jobs = [job for name, recipe, wanted in plan
            for job in recording.plan({"name": name, "recipe": as_recorded(recipe), "runs": []}, wanted, recipe=recipe,
                                      data_dir=data_dir, compile=compile, device=device)]

    def write() -> dict:
        record = {"command": command or f"make study PHASE={phase}", "phase": phase, "split": "test", "seeds": seeds,
                  "compared_seeds": compared_seeds, "recipes": recording.done(summary=True)}
        write_json(out, record)
        return record

    first = [job for job in jobs if job[0] == plan[0][0] and job[1]["seed"] == seeds[0] and device == "cpu"]
    if first:
        recording.run(first, 1, write, log)
    recording.run([job for job in jobs if job not in first], workers, write, log)
    return write()


def spread(seeds: list[int], workers: int, out: Path, data_dir=None, log=print) -> dict:
    """The phases without a seed study of their own under ``seeds`` on the test split: the spread behind each
    notebook's regression tolerance. A phase whose recipe changed since its runs were recorded starts afresh: runs of
    another recipe are no evidence for this one's spread."""
    record = _load(out) or {"command": "make spread", "split": "test", "phases": {}}
    entries, jobs = {}, []
    for row in (row for row in PHASES if row.study is None):
        entry = record["phases"].get(str(row.number))
        if entry is None or entry["recipe"] != as_recorded(row.recipe):
            entry = record["phases"][str(row.number)] = {"recipe": as_recorded(row.recipe), "runs": []}
        entries[row.number] = entry
        done = {run["seed"] for run in entry["runs"]}
        jobs += [(row.number, run_config(row.recipe, seed=seed, data_dir=data_dir, device="cpu"))
                 for seed in seeds if seed not in done]
    run_recorded(jobs, workers, entries, lambda: write_json(out, record), log)
    return record
