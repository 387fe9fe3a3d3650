"""``make run``: what it checks before it starts the notebooks."""

import pytest

import utils


def test_the_series_does_not_start_when_a_shown_study_is_not_ready(tmp_path, monkeypatch, capsys):
    from utils.commands import run

    def stale(phase):
        raise ValueError(f"results/phase{phase}_study.json records another recipe")
    monkeypatch.setattr(run, "load_study", stale)
    monkeypatch.setattr(run, "run_notebook", lambda *args: pytest.fail("no notebook may run"))
    notebooks = [utils.project_root() / "notebooks" / f"{row.notebook}.ipynb" for row in utils.PHASES]
    assert run.run_series(notebooks, {}, None, tmp_path) == 1
    assert "NOT STARTED: notebook 04_lr_scheduler shows a seed study that is not ready" in capsys.readouterr().err
    monkeypatch.setattr(run, "run_notebook", lambda *args: None)
    assert run.run_series(notebooks[:3], {}, None, tmp_path) == 0  # phases 1-3 show no study
