"""The experiment driver runs a plan stage by stage, reuses and resumes recorded runs, and decides by the plan's rule;
phase 4's round 4 is such a plan."""

import shutil

import pytest
import torch

from conftest import fake_pool
from utils import records
from utils.core.runs import make_optimizer, onecycle_factor, run_config
from utils.experiments import driver, phase4_round4 as round4, runner
from utils.experiments.driver import run_plan
from utils.paths import results_dir
from utils.phases import phase

GAIN = {"onecycle": 0.06, "wd+nesterov": 0.05, "drops-7-10": 0.01}  # every other candidate: -0.10 against the base


def _fake_pool(trained):
    """Every run's last 5 epochs at 99.39 plus its candidate's gain and a spread over seeds; ``trained`` collects
    ``(name, seed, split, compiled)``."""
    def accuracy(name, config):
        trained.append((name, config["seed"], config["split"], config["compile"]))
        return [99.0] * 10 + [99.39 + GAIN.get(name, -0.10) + (config["seed"] * 7 + len(name)) % 4 / 100] * 5
    return fake_pool(accuracy)


@pytest.fixture
def results(tmp_path, monkeypatch):
    """A results folder with what round 4 reads: round 3's record (the base's runs) and phase 4's test study; this
    machine taken for the one round 3 ran on."""
    for file in (round4.ROUND3, phase(4).study):
        shutil.copy(results_dir() / file, tmp_path / file)
    round3 = records.load(round4.ROUND3, tmp_path)
    monkeypatch.setattr(driver, "platform_here", lambda: round3["candidates"][0]["runs"][0]["platform"])
    return tmp_path


def test_round4_runs_its_stages_reuses_the_base_of_its_platform_only_and_decides(results, monkeypatch):
    trained = []
    monkeypatch.setattr(runner, "run_pool", _fake_pool(trained))
    record = run_plan(round4.PLAN, 2, results, log=lambda *_: None)
    stages = {n: s["candidates"] for n, s in record["stages"].items()}
    assert stages["1"] == [c.name for c in round4.CANDIDATES]
    assert stages["2"] == ["base", "onecycle", "wd+nesterov"]  # within two paired SEs of the best
    assert stages["3"] == ["base", "onecycle"]  # the base, and the best: nothing with fewer levers ties with it
    assert "base" not in {name for name, *_ in trained}  # round 3's runs of the same recipe, not trained again
    base = next(c for c in record["candidates"] if c["name"] == "base")
    assert base["source"] == f"results/{round4.ROUND3}, batch-64" and len(base["runs"]) == 16
    assert len(trained) == 6 * 4 + 2 * 4 + 8
    assert all(split == "validation" and compiled for _, _, split, compiled in trained)
    assert record["complete"] and record["picked"] == "onecycle" and record["study"] == list(range(101, 121))
    levels = record["levels"]["candidates"]
    assert levels["onecycle"]["level"] == pytest.approx(99.40 + round4.HOLD_Z * levels["onecycle"]["std"]
                                                        + record["levels"]["offset"])
    assert run_plan(round4.PLAN, 2, results, log=lambda *_: None)["candidates"] == record["candidates"]
    assert len(trained) == 6 * 4 + 2 * 4 + 8  # resumed: nothing trained twice
    other = {**driver.platform_here(), "cpu": "another CPU"}  # round 3's runs are no longer this platform's
    monkeypatch.setattr(driver, "platform_here", lambda: other)
    trained.clear()
    again = run_plan(round4.PLAN, 2, results, log=lambda *_: None)
    base = next(c for c in again["candidates"] if c["name"] == "base")
    assert "source" not in base and {seed for name, seed, *_ in trained if name == "base"} == set(round4.ALL16)
    assert len(trained) == 16 and again["candidates"] != record["candidates"]  # the resumed record let them go


def test_round4_keeps_the_base_without_a_detectable_gain(results, monkeypatch):
    monkeypatch.setattr(runner, "run_pool", _fake_pool([]))
    for name in ("onecycle", "wd+nesterov", "drops-7-10"):
        monkeypatch.setitem(GAIN, name, -0.10)
    record = run_plan(round4.PLAN, 2, results, log=lambda *_: None)
    assert record["picked"] == "base" and record["study"] == []


def test_round4_candidates_stay_within_the_budget_and_change_one_thing_each():
    from utils.core.models import build_model, count_parameters
    assert len({c.name for c in round4.CANDIDATES}) == len(round4.CANDIDATES)
    for c in round4.CANDIDATES:
        assert count_parameters(build_model(c.recipe["model"])) < 8000
        assert (c.recipe == round4.BASE) == (c.name == "base") and len(c.levers) == (c.name != "base")
    assert records.as_recorded(round4.BASE) == records.as_recorded(phase(4).recipe)  # today's recipe, until it moves


def test_onecycle_warms_up_anneals_and_holds_its_floor():
    factor = onecycle_factor({"warmup_epochs": 2, "anneal_until": 11, "start": 0.03, "floor": 0.001}, 0.3, 100)
    lrs = [0.3 * factor(step) for step in (0, 100, 200, 1099, 1100, 1499)]
    assert lrs[:3] == pytest.approx([0.03, 0.165, 0.3])
    assert lrs[3] == pytest.approx(0.001, abs=1e-6) and lrs[4:] == pytest.approx([0.001, 0.001])


def test_adamw_under_one_cycle_is_built_as_the_recipe_says():
    recipe = next(c for c in round4.CANDIDATES if c.name == "adamw-onecycle").recipe
    model = torch.nn.Linear(2, 2)
    optimizer, scheduler, per_batch = make_optimizer(model, run_config(recipe, seed=1), steps_per_epoch=10)
    assert isinstance(optimizer, torch.optim.AdamW) and per_batch
    assert optimizer.param_groups[0]["lr"] == pytest.approx(0.001) and optimizer.defaults["weight_decay"] == 0.01
    with pytest.raises(ValueError, match="optimizer must be one of"):
        make_optimizer(model, run_config(records.as_recorded({**recipe, "optimizer": {"name": "lion"}}), seed=1), 10)


def test_a_tiny_real_run_through_the_process_pool(mnist_root):
    """One real training in a spawned worker process, as a GPU study runs (device "auto" is the CPU here)."""
    config = run_config(phase(4).recipe, seed=3, device="auto", epochs=1, limit_train=256, limit_test=200,
                        data_dir=str(mnist_root))
    rows, said = [], []
    runner.run_pool([("tiny", config)], 1, lambda key, row: rows.append((key, row)), log=said.append)
    (key, row), = rows
    assert key == "tiny" and row["seed"] == 3 and len(row["acc"]) == 1 and row["platform"]["device"] == "cpu"
    assert said[-1] == (f"[1/1] tiny, seed 3: last-5 min {row['min_last']:.2f}, final {row['final']:.2f} "
                        f"({row['seconds']:.0f} s)")  # the last run: nothing left to estimate


def test_phase5_round4_candidates_are_within_the_goal_and_one_change_from_phase_4s_recipe():
    from utils.core.models import build_model, count_parameters
    from utils.experiments import phase5_round4 as round5
    from utils.goal import GOAL_PARAMS
    names = [c.name for c in round5.CANDIDATES]
    assert names[0] == "base" and len(set(names)) == len(names)
    for c in round5.CANDIDATES:
        assert count_parameters(build_model(c.recipe["model"])) <= GOAL_PARAMS
        assert [group for group in c.recipe if c.recipe[group] != round5.PHASE4[group]][:1] == ["model"]
        changed = [group for group in c.recipe if c.recipe[group] != round5.BASE[group]]
        assert len(changed) == (c.name != "base") and (c.name not in round5.MODELS or changed == ["model"])
    assert round5.PLAN.file == phase(5).rounds[-1] and round5.PLAN.command == "make search"


def test_phase5_round4_runs_phase_4s_pick_and_decides_once_the_picks_test_study_is_on_record(
        results, monkeypatch):
    from utils.experiments import phase5_round4 as round5
    assert records.load(round4.PLAN.file)["picked"] == round4.PICKED  # the pick its record holds
    for file in (round5.FRONTIER, round4.PLAN.file):
        shutil.copy(results_dir() / file, results / file)
    trained = []
    monkeypatch.setattr(runner, "run_pool", _fake_pool(trained))
    with pytest.raises(ValueError, match="no seed study of phase 4"):  # none of the pick on record yet
        run_plan(round5.PLAN, 2, results, log=lambda *_: None)
    assert ("base", 1) in {(name, seed) for name, seed, *_ in trained}  # the frontier ran another recipe: not reused
    assert all(not compiled for *_, compiled in trained)
    monkeypatch.setattr(round5, "phase4_offset", lambda results: -0.09)
    record = run_plan(round5.PLAN, 2, results, log=lambda *_: None)  # resumed: every run is recorded
    assert len(trained) == sum(len(stage["seeds"]) * len(stage["candidates"]) for stage in record["stages"].values())
    levels = record["levels"]["candidates"]
    assert record["study"] == [name for name in record["stages"]["3"]["candidates"]
                               if levels[name]["expected_to_hold"]]
