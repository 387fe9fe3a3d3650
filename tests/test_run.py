"""``make run``: what it checks before it starts the notebooks."""

import pytest

from conftest import NOTEBOOKS


def test_the_series_does_not_start_when_a_shown_study_is_not_ready(tmp_path, monkeypatch, capsys):
    from utils.commands import run

    def stale(phase):
        raise ValueError(f"results/phase{phase}_study.json records another recipe")
    monkeypatch.setattr(run, "load_study", stale)
    monkeypatch.setattr(run, "run_notebook", lambda *args: pytest.fail("no notebook may run"))
    notebooks = list(NOTEBOOKS.values())
    assert run.run_series(notebooks, {}, None, tmp_path) == 1
    assert "NOT STARTED: notebook 04_lr_scheduler shows a seed study that is not ready" in capsys.readouterr().err
    monkeypatch.setattr(run, "run_notebook", lambda *args: None)
    assert run.run_series(notebooks[:3], {}, None, tmp_path) == 0  # phases 1-3 show no study


def test_a_series_into_a_folder_of_its_own_gets_every_record_it_reads_but_not_the_results_it_writes(tmp_path,
                                                                                                  monkeypatch):
    from utils import records
    from utils.commands import run
    from utils.phases import SPREAD, phase

    project = tmp_path / "results"
    project.mkdir()
    for name in ("phase4.json", "phase5.json", SPREAD, phase(5).study):
        records.write_json(project / name, {"name": name})
    out = tmp_path / "runs" / "mine"
    (out / "results").mkdir(parents=True)
    records.write_json(out / "results" / "phase4.json", {"name": "an earlier run into this folder"})
    monkeypatch.setattr(run, "load_study", lambda phase: None)
    monkeypatch.setattr(run, "run_notebook", lambda *args: None)
    assert run.run_series([NOTEBOOKS[5]], {}, None, project, out) == 0
    assert sorted(path.name for path in (out / "results").iterdir()) == sorted(
        ["phase4.json", phase(5).study, SPREAD])  # not phase5.json, phase 5's own result: only its notebook writes it
    assert records.load("phase4.json", out / "results") == {"name": "an earlier run into this folder"}
