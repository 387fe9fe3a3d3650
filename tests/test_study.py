"""A seed study's order of work: the notebook's seed runs first, alone, with every core (as the notebook runs it), so
that the notebook and the study hold one run; the rest two at a time."""

from utils import records
from utils.experiments import runner


def test_the_notebooks_seed_runs_alone_first_then_the_rest_two_at_a_time(tmp_path, monkeypatch):
    calls = []

    def fake_pool(jobs, workers, on_done, log):
        calls.append((workers, [(name, config["seed"]) for name, config in jobs]))
        for name, config in jobs:
            on_done(name, records.run_row(config["seed"], [99.5] * 15))

    monkeypatch.setattr(runner, "run_pool", fake_pool)
    out = tmp_path / "study.json"
    record = runner.study(4, [1, 2, 3], [1, 2], 2, out, log=lambda *_: None)
    compared = "original write-up's recipe"
    assert calls == [(1, [("final recipe", 1)]),
                     (2, [("final recipe", 2), ("final recipe", 3), (compared, 1), (compared, 2)])]
    assert [len(entry["runs"]) for entry in record["recipes"]] == [3, 2]
    calls.clear()
    runner.study(4, [1, 2, 3], [1, 2], 2, out, log=lambda *_: None)  # resumed: nothing left to run
    assert calls == [(2, [])]
