"""Phase 5's search, round 2: the candidates, the frontier, the finalists and the decision, with exact values."""

import pytest

import utils
from utils import records
from utils.core.models import build_spec, count_parameters
from utils.experiments import runner, search2
from utils.report.recipes import recipe_changes
from utils.phases import rounds_of
from utils.goal import goal_held
from utils.report.tables import powered_trials_markdown


def runs(lows, seeds=None):
    seeds = seeds or range(1, len(lows) + 1)
    return [records.run_row(seed, [99.0] * 10 + [low] * 5) for seed, low in zip(seeds, lows)]


def cand(name, params, lows, seeds=None):
    return {"name": name, "params": params, "runs": runs(lows, seeds)}


def test_every_architecture_is_at_most_4000_parameters_and_they_are_listed_largest_first():
    sizes = [count_parameters(build_spec(spec)) for spec in search2.SPECS]
    assert sizes == [3912, 3848, 3746, 3624, 3624, 3616, 3432, 3148, 3024]


def test_a_candidate_is_round_2s_phase_4_recipe_with_its_model_and_levers():
    recipe = search2.recipe("8-8-M-s20-s20-s20-s20", ("lr-0.2", "batch-64"))
    assert recipe_changes(search2.BASE, recipe) == ["model: 3 -> 8-8-M-s20-s20-s20-s20",
                                                      "train.batch_size: 128 -> 64", "optimizer.lr: 0.1 -> 0.2"]
    assert [[line.split(":")[0] for line in recipe_changes(search2.recipe("8-8-M-s20-s20-s20-s20"),
                                                           search2.recipe("8-8-M-s20-s20-s20-s20", (lever,)))]
            for lever in search2.LEVERS] == [["optimizer.lr"], ["optimizer.lr"], ["augment"],
                                                     ["train.batch_size"], [],  # ema: phase 4's recipe has it
                                                     ["train.label_smoothing"]]


def test_the_frontier_is_the_smallest_tied_with_the_best():
    stage1 = [cand("big", 3900, [99.40, 99.42, 99.38, 99.44]),       # best: mean 99.41
              cand("mid", 3500, [99.38, 99.43, 99.35, 99.46]),       # paired -0.005 +- 0.0119: tied
              cand("small", 3000, [99.30, 99.33, 99.29, 99.35])]     # paired -0.0925 +- 0.0025: not tied
    assert search2.frontier(stage1)["name"] == "mid"


def test_the_finalists_are_the_best_the_smallest_tied_and_the_best_lever():
    stage1 = [cand("big", 3900, [99.40, 99.42, 99.38, 99.44]), cand("mid", 3500, [99.38, 99.43, 99.35, 99.46])]
    stage2 = [cand("mid+ema", 3500, [99.45, 99.46, 99.44, 99.47]), cand("mid+smooth", 3500, [99.30] * 4)]
    # mid+ema is best (99.455); big -0.045 +- 0.0065 and mid -0.050 +- 0.0183: not tied; the smallest tied is itself
    assert search2.finalists(stage1, stage2) == ["mid+ema"]
    assert search2.finalists(stage1, []) == ["big", "mid"]


def test_the_decision_takes_the_fewest_parameters_within_one_standard_error_and_says_how_it_compares():
    reference = {"runs": runs([99.50, 99.52, 99.48, 99.54, 99.50, 99.52, 99.48, 99.54])}
    best = cand("best", 3900, [99.46, 99.48, 99.44, 99.50, 99.46, 99.48, 99.44, 99.50])
    small = cand("small", 3100, [99.45, 99.50, 99.42, 99.50, 99.44, 99.50, 99.43, 99.51])
    name, reason = search2.pick([best, small], reference)
    assert name == "small"
    assert reason == ("small (3,100 parameters, mean 99.469%) has the fewest parameters of the finalists within one "
                      "standard error of the best; it does NOT reach phase 4's level (paired difference from phase 4's "
                      "recipe and model -0.041 +- 0.006 over 8 seeds)")


def test_the_search_runs_its_three_stages_and_resumes(tmp_path, monkeypatch):
    phase4 = records.as_recorded(search2.BASE)  # phase 4's recipe of the time: round 2's pick
    reference = {"name": "base", "recipe": phase4, "runs": runs([99.45] * 8)}
    records.write_json(tmp_path / rounds_of("trials")[1], {"candidates": [reference]})
    low = {spec: 99.30 + i / 100 for i, spec in enumerate(search2.SPECS)}  # the smallest scores best
    trained = []

    def fake_pool(jobs, workers, on_done, log):
        for name, config in jobs:
            trained.append((name, config["seed"], config["split"]))
            spec, *levers = name.split("+")
            value = low[spec] + (0.05 if levers == ["smooth"] else 0.0)
            on_done(name, records.run_row(config["seed"], [99.0] * 10 + [value + config["seed"] / 1000] * 5))

    monkeypatch.setattr(runner, "run_pool", fake_pool)
    out = tmp_path / rounds_of("search")[1]
    record = runner.search2(2, out, log=lambda *_: None)
    smallest = search2.SPECS[-1]
    # every lever but ema, which phase 4's recipe already has (a no-op is skipped, not trained)
    assert record["stages"]["2"] == [f"{smallest}+{lever}" for lever in search2.LEVERS if lever != "ema"]
    assert record["stages"]["3"] == [f"{smallest}+smooth"] and record["picked"] == f"{smallest}+smooth"
    assert len(trained) == 9 * 4 + 5 * 4 + 4 and all(split == "validation" for *_, split in trained)
    trained.clear()
    assert runner.search2(2, out, log=lambda *_: None)["picked"] == f"{smallest}+smooth" and trained == []
    table = powered_trials_markdown(record).splitlines()
    assert table[0].startswith("| candidate | parameters | stage | seed 1 |")
    assert table[2].startswith(f"| {search2.SPECS[0]} | 3,912 | 1 | 99.30 |")
    assert "| phase 4 (base) | 7,753 | reference | 99.45 |" in "\n".join(table)
    assert table[-1] == f"Picked: **{smallest}+smooth**, {record['reason']}."


def test_the_search_needs_phase_4s_recipe_in_round_2_of_its_trials(tmp_path):
    with pytest.raises(ValueError, match="finish `make trials`"):
        runner.search2(2, tmp_path / rounds_of("search")[1], log=lambda *_: None)


def test_a_candidate_with_one_seed_shows_no_standard_error_yet():
    record = records.load(rounds_of("search")[1])  # round 2 of the search, a powered round
    record["candidates"][0]["runs"] = record["candidates"][0]["runs"][:1]
    row = next(line for line in powered_trials_markdown(record).splitlines()
               if line.startswith(f"| {record['candidates'][0]['name']} |"))
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    assert cells[-2] == "-" and cells[-1].endswith("(1 seed: no standard error yet)")
    assert "nan" not in powered_trials_markdown(record)


def test_phase_5s_goal_is_9_of_10_seeds_over_a_study_of_at_least_10():
    def study(held, seeds):
        return records.summarize(runs([99.45] * held + [99.30] * (seeds - held)))
    assert goal_held(study(9, 10)) and goal_held(study(10, 10)) and goal_held(study(18, 20))
    assert not goal_held(study(8, 10)) and not goal_held(study(5, 5)) and not goal_held(study(17, 20))


def test_the_trials_figure_draws_a_search_reference_as_its_last_row_and_needs_none():
    record = {"candidates": [cand("a", 3000, [99.1, 99.2]), cand("b", 3100, [99.0, 99.3])]}
    plain = utils.plot_trials(record, "trials")
    assert [t.get_text() for t in plain.axes[0].get_yticklabels()] == ["a, 3,000 params", "b, 3,100 params"]
    searched = utils.plot_trials({**record, "reference": cand("phase 4", 7753, [99.4, 99.3])}, "search")
    assert [t.get_text() for t in searched.axes[0].get_yticklabels()][-1] == "phase 4, 7,753 params"
