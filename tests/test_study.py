"""A seed study's order of work: the notebook's seed runs first, alone, with every core (as the notebook runs it), so
that the notebook and the study hold one run; the rest two at a time. And the spread of the phases without a study
(``make spread``): kept while their recipe stays, started afresh when it changes."""

import pytest

from conftest import fake_pool
from utils import records
from utils.phases import SPREAD, phase
from utils.experiments import runner


def test_the_notebooks_seed_runs_alone_first_then_the_rest_two_at_a_time(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(runner, "run_pool", fake_pool(lambda name, config: [99.5] * 15, calls))
    out = tmp_path / "study.json"
    record = runner.study(4, [1, 2, 3], [1, 2], 2, out, log=lambda *_: None)
    compared = "original write-up's recipe"
    assert calls == [(1, [("final recipe", 1)]),
                     (2, [("final recipe", 2), ("final recipe", 3), (compared, 1), (compared, 2)])]
    assert [len(entry["runs"]) for entry in record["recipes"]] == [3, 2]
    calls.clear()
    runner.study(4, [1, 2, 3], [1, 2], 2, out, log=lambda *_: None)  # resumed: nothing left to run
    assert calls == [(2, [])]


def test_a_first_seed_recorded_with_fewer_threads_than_the_notebooks_runs_again(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(runner.os, "cpu_count", lambda: 2)
    alone = {"threads": runner._threads(1)}  # every core: the notebook's
    monkeypatch.setattr(runner, "run_pool", fake_pool(lambda name, config: [99.5] * 15, calls, alone))
    out = tmp_path / "study.json"
    older = [records.run_row(seed, [99.4] * 15, platform={"threads": 1}) for seed in (1, 2)]
    records.write_json(out, {"recipes": [{"name": "final recipe", "recipe": records.as_recorded(phase(4).recipe),
                                          "runs": older}]})
    record = runner.study(4, [1, 2], [], 2, out, log=lambda *_: None)
    assert calls == [(1, [("final recipe", 1)]), (2, [])]  # seed 2, two at a time as it was, is kept
    assert [(run["seed"], run["platform"]["threads"]) for run in record["recipes"][0]["runs"]] == [(1, 2), (2, 1)]


def test_the_spread_keeps_the_runs_of_an_unchanged_recipe_and_drops_those_of_another(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(runner, "run_pool", fake_pool(lambda number, config: [99.0] * 15, calls))
    out = tmp_path / SPREAD
    same = {"recipe": records.as_recorded(phase(1).recipe), "runs": [records.run_row(2, [98.0] * 15)]}
    other = {"recipe": records.as_recorded(phase(1).recipe), "runs": [records.run_row(2, [98.0] * 15)]}  # not 2's
    records.write_json(out, {"command": "make spread", "split": "test", "phases": {"1": same, "2": other}})
    record = runner.spread([2, 3], 2, out, log=lambda *_: None)
    ran = sorted(job for _, jobs in calls for job in jobs)
    assert ran == [(1, 3), (2, 2), (2, 3), (3, 2), (3, 3)]  # phase 1's seed 2 is kept, phase 2's is not
    assert [run["seed"] for run in record["phases"]["1"]["runs"]] == [2, 3]
    assert record["phases"]["2"]["recipe"] == records.as_recorded(phase(2).recipe)
    assert [run["min_last"] for run in record["phases"]["2"]["runs"]] == [99.0, 99.0]


def test_a_study_records_the_command_that_asked_for_its_seeds(tmp_path, monkeypatch):
    from utils.commands import study

    monkeypatch.setattr(runner, "run_pool", fake_pool(lambda name, config: [99.5] * 15))
    monkeypatch.setattr(study, "results_dir", lambda: tmp_path)
    study.main(["--phase", "4", "--seeds", "1", "2", "3"])
    assert records.load(phase(4).study, tmp_path)["command"] == 'make study PHASE=4 SEEDS="1 2 3"'
    study.main(["--phase", "4"])
    b = records.load(phase(4).study, tmp_path)
    assert b["command"] == "make study PHASE=4"
    assert b["compared_seeds"] == list(phase(4).compared_seeds)  # the phase table's, by default
    out = str(tmp_path / "c.json")
    study.main(["--phase", "4", "--compared-seeds", "1", "2", "--compile", "--out", out])
    c = records.load("c.json", tmp_path)
    assert (c["command"], c["compared_seeds"]) == (
        f"python -m utils.commands.study --phase 4 --compared-seeds 1 2 --compile --out {out}", [1, 2])


def test_a_study_of_the_latest_rounds_pick_needs_the_round_finished_and_a_file_of_its_own(tmp_path, monkeypatch):
    from utils.commands import study
    from utils.experiments.phase4_round4 import PLAN

    monkeypatch.setattr(runner, "run_pool", fake_pool(lambda name, config: [99.5] * 15))
    monkeypatch.setattr(study, "results_dir", lambda: tmp_path)
    out = str(tmp_path / "pick.json")
    with pytest.raises(SystemExit):
        study.main(["--phase", "4", "--pick"])  # the notebook's study file is the phase's own recipe's
    with pytest.raises(SystemExit):
        study.main(["--phase", "4", "--pick", "--out", out])  # no record of round 4 yet
    records.write_json(tmp_path / PLAN.file, {"complete": False})
    with pytest.raises(SystemExit):
        study.main(["--phase", "4", "--pick", "--out", out])  # not finished
    records.write_json(tmp_path / PLAN.file, {"complete": True, "picked": "drops-7-10"})
    study.main(["--phase", "4", "--pick", "--seeds", "101", "102", "--compared-seeds", "--out", out])
    record = records.load("pick.json", tmp_path)
    assert [entry["name"] for entry in record["recipes"]] == ["final recipe"]
    assert record["recipes"][0]["recipe"] == records.as_recorded(PLAN.candidate("drops-7-10").recipe)
    assert record["recipes"][0]["recipe"] != records.as_recorded(phase(4).recipe)
    assert [run["seed"] for run in record["recipes"][0]["runs"]] == [101, 102]
