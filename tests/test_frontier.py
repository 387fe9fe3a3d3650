"""Phase 5's frontier (round 3 of its search): the sizes, the recipe, the calibration and the decision, with exact
values; and the runner's order of work (refuse, run, wait for the study, decide, resume) with a fake pool."""


import pytest

from utils import recipes, records
from utils.core.models import build_model, count_parameters
from utils.experiments import frontier, runner
from utils.phases import phase, rounds_of
from utils.report.recipes import recipe_changes
from conftest import fake_pool, runs, sized as size


def test_five_sizes_of_one_design_from_2000_to_6700_parameters_and_phase_4s_model_on_8_seeds():
    assert [count_parameters(build_model(spec)) for spec in frontier.SPECS] == [2016, 3024, 3948, 5016, 6664]


def test_the_level_is_where_phase_4s_seed_spread_holds_on_9_of_10_moved_onto_the_validation_split():
    validation = runs([99.50, 99.54, 99.52, 99.56] * 2 + [90.0, 90.0])  # seeds 1-8: 99.53; 9-10 are not used
    study = records.summarize(runs([99.46, 99.50, 99.41, 99.39, 99.49, 99.45, 99.47, 99.52, 99.44, 99.47]))
    c = frontier.calibrate(validation, study)
    assert (c["validation_seeds"], c["test_seeds"], c["held_on_test"]) == (8, 10, True)  # only 99.39 misses: 9 of 10
    assert c["test_mean"] == pytest.approx(99.46) and c["offset"] == pytest.approx(0.07)
    assert c["test_std"] == pytest.approx((0.0142 / 9) ** 0.5)  # the squared deviations from 99.46 sum to 0.0142
    assert c["level_test"] == pytest.approx(99.4509, abs=1e-4)  # 99.40 + 1.28155 x 0.03972
    assert c["level_validation"] == pytest.approx(99.5209, abs=1e-4)  # + 0.07: not phase 4's validation mean, 99.53


CALIBRATION = {"test_mean": 99.47, "test_std": 0.04, "level_test": 99.45, "level_validation": 99.50,
               "held_on_test": True}
REFERENCE = runs([99.50] * 8)


def test_the_pick_is_the_smallest_size_within_one_paired_standard_error_of_the_level_and_the_4000_size_is_studied():
    sizes = [size("anchor", 7753, [99.52] * 8),
             size("5k", 5016, [99.52, 99.46] * 4),   # 99.49, paired se 0.0113: 99.501 >= 99.50, reaches
             size("4k", 3948, [99.49, 99.45] * 4),   # 99.47, se 0.0076: short
             size("2k", 2016, [99.30] * 8)]
    decision = frontier.decide(sizes, REFERENCE, CALIBRATION)
    assert decision["picked"] == "5k" and decision["studies"] == ["5k", "4k"]
    assert [name for name, row in decision["sizes"].items() if row["reaches"]] == ["5k", "anchor"]
    assert list(decision["sizes"]) == ["2k", "4k", "5k", "anchor"]  # smallest first
    assert decision["sizes"]["5k"]["margin"] == pytest.approx(-0.01)
    assert decision["reason"].startswith("5k (5,016 parameters, 99.490%) has the fewest parameters of the sizes that "
                                         "reach the level that holds on 9 of every 10 seeds (99.450% on test: "
                                         "99.40 + 1.2816 x 0.040, the seed spread of phase 4's study, which held at "
                                         "99.470%; 99.500% on validation)")
    # a pick within 4,000 parameters is studied alone; with no pick, the 4,000 size is still studied
    small = [size("anchor", 7753, [99.52] * 8), size("4k", 3948, [99.51] * 8), size("3k", 3024, [99.40] * 8)]
    assert frontier.decide(small, REFERENCE, CALIBRATION)["studies"] == ["4k"]
    none = [size("anchor", 7753, [99.45] * 8), size("4k", 3948, [99.40] * 8)]
    decision = frontier.decide(none, REFERENCE, CALIBRATION)
    assert decision["picked"] is None and decision["studies"] == ["4k"]
    assert decision["reason"].startswith("no size reaches the level that holds on 9 of every 10 seeds")


def round3_record(results, recipe, *others):
    picked = {"name": "base", "recipe": records.as_recorded(recipe), "runs": runs([99.50] * 16)}
    records.write_json(results / rounds_of("trials")[2], {"complete": True, "picked": "base",
                                                          "candidates": [picked, *others]})


def frontier_pool(trained):
    def accuracy(name, config):
        trained.append((name, config["seed"], config["split"], config["compile"], config["train"]["batch_size"]))
        return [99.0] * 10 + [99.60 - 0.0001 * config["seed"]] * 5
    return fake_pool(accuracy)


def test_the_frontier_refuses_before_any_run_until_round_3_has_picked_phase_4s_recipe(tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "run_pool", lambda *a: pytest.fail("trained before checking its reference"))
    with pytest.raises(ValueError, match="finish `python -m utils.commands.trials --round 3`"):
        runner.frontier(2, tmp_path / rounds_of("search")[2], log=lambda *_: None)
    round3_record(tmp_path, recipes.tweak(recipes.PHASE4_ROUND3, {"optimizer.lr": 0.05}))  # another recipe than phase 4's
    with pytest.raises(ValueError, match="PHASE4_ROUND3"):
        runner.frontier(2, tmp_path / rounds_of("search")[2], log=lambda *_: None)


def test_the_frontier_runs_every_size_eager_waits_for_phase_4s_study_then_decides(tmp_path, monkeypatch):
    round3_record(tmp_path, recipes.PHASE4_ROUND3)
    trained = []
    monkeypatch.setattr(runner, "run_pool", frontier_pool(trained))
    out = tmp_path / rounds_of("search")[2]
    record = runner.frontier(2, out, log=lambda *_: None)
    assert len(trained) == 5 * 8 and {t[2:] for t in trained} == {("validation", False, 64)}  # the anchor: round 3's
    assert record["complete"] is False and "picked" not in record  # no study of phase 4's recipe yet
    study = {"seeds": list(range(1, 11)), "compared_seeds": [],
             "recipes": [{"name": "final recipe", "recipe": records.as_recorded(recipes.PHASE4_ROUND3),
                          "runs": runs([99.48] * 9)}]}
    records.write_json(tmp_path / phase(4).study, study)
    trained.clear()
    record = runner.frontier(2, out, log=lambda *_: None)
    assert trained == [] and record["complete"] is False  # a study still running is no study yet
    study["recipes"][0]["runs"] = runs([99.48] * 10)
    records.write_json(tmp_path / phase(4).study, study)
    trained.clear()
    record = runner.frontier(2, out, log=lambda *_: None)
    assert trained == [] and record["complete"] is True
    # a study without spread needs 99.40 on test; moved by phase 4's offset, 99.50 on validation - 99.48 on test
    assert record["calibration"]["level_validation"] == pytest.approx(99.42)
    assert record["picked"] == "8-d8-M-s16-s16-s16" and record["studies"] == ["8-d8-M-s16-s16-s16"]


@pytest.mark.parametrize("batch, reused", [(64, "base"), (32, "base"), (128, "batch-64")])
def test_every_size_runs_phase_4s_recipe_at_batches_of_at_most_64_and_the_anchor_reuses_round_3s_runs_of_it(
        tmp_path, monkeypatch, batch, reused):
    """The anchor's runs: phase 4's own recipe's, or its batch-64 lever's where phase 4 has larger batches."""
    recipe = recipes.tweak(recipes.PHASE4_ROUND3, {"train.batch_size": batch})
    monkeypatch.setattr(runner, "PHASE4_ROUND3", recipe)
    lever = {"name": "batch-64", "recipe": records.as_recorded(recipes.tweak(recipe, {"train.batch_size": 64})),
             "runs": runs([99.55] * 8)}
    round3_record(tmp_path, recipe, lever)
    trained = []
    monkeypatch.setattr(runner, "run_pool", frontier_pool(trained))
    record = runner.frontier(2, tmp_path / rounds_of("search")[2], log=lambda *_: None)
    assert len(trained) == 5 * 8 and "phase 4's model" not in {t[0] for t in trained}
    assert {t[4] for t in trained} == {min(batch, 64)}  # the sizes: phase 4's recipe, with batches of at most 64
    spec = frontier.SPECS[0]  # a size changes the model, and the batches where they exceed 64, nothing else
    assert recipe_changes(recipe, frontier.recipe(spec, recipe)) == [f"model: 3 -> {spec}"] + (
        [f"train.batch_size: {batch} -> 64"] if batch > 64 else [])
    anchor = next(c for c in record["candidates"] if c["name"] == "phase 4's model")
    assert anchor["source"] == f"results/{rounds_of('trials')[2]}, {reused}"
    assert [r["seed"] for r in anchor["runs"]] == list(range(1, 9))
    assert [r["min_last"] for r in anchor["runs"]] == [99.55 if reused == "batch-64" else 99.50] * 8
    trained.clear()  # compiled on request, the anchor still round 3's
    runner.frontier(2, tmp_path / "compiled.json", log=lambda *_: None, compile=True)
    assert len(trained) == 5 * 8 and {t[3] for t in trained} == {True}


def test_the_frontier_figure_moves_validation_onto_the_test_scale_and_marks_studies_and_single_runs():
    from matplotlib.collections import PathCollection

    import utils
    record = {"calibration": {"offset": 0.05, "level_test": 99.46}, "candidates": [size("b", 4000, [99.50, 99.54]),
                                                              size("a", 2000, [99.30, 99.32]), size("none", 1000, [])]}
    study = {"recipes": [{"name": "final recipe", "recipe": {"model": frontier.SPECS[2]},
                          "runs": runs([99.41, 99.45])}]}
    fig = utils.plot_frontier(record, study, "frontier")
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    line = ax.lines[0]  # the frontier, smallest first, the run-less size left out
    assert list(line.get_xdata()) == [2000, 4000] and list(line.get_ydata()) == pytest.approx([99.26, 99.47])
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "frontier: validation mean +- 1 SE over 2 seeds, moved by the offset -0.050" in legend
    assert "99.46%: the mean that holds on 9 of 10 seeds at phase 4's seed spread (the rule's level)" in legend
    assert [line.get_ydata()[0] for line in ax.lines[-2:]] == [99.40, 99.46]  # the target's line, the rule's level
    assert [t.get_text() for t in ax.texts] == ["3,948: held on 2 of 2"]
    assert ax.texts[0].xy == pytest.approx((3948, 99.43))  # beside the study's mean
    peers = [c.get_offsets().tolist()[0] for c in ax.collections if isinstance(c, PathCollection) and
             len(c.get_offsets())]
    assert sorted(peers) == [[3762, 99.36], [4838, 99.34], [6174, 99.40]]


def test_the_frontier_table_and_what_each_step_down_gives_up(tmp_path, monkeypatch):
    from utils.report import readme
    from utils.report.analysis import frontier_steps
    from utils.report.verdicts import frontier_table
    sizes = [size("phase 4's model", 7753, [99.52] * 8),
             size("5k", 5016, [99.52, 99.50] * 4),   # -0.01 +- 0.0038 from the anchor: a loss of more than two SEs
             size("2k", 2016, [99.30, 99.52] * 4)]   # -0.10 +- 0.045 from 5k: more than two
    decision = frontier.decide(sizes, REFERENCE, CALIBRATION)
    record = {"complete": True, "seeds": list(frontier.SEEDS), "candidates": sizes, **decision}
    table = frontier_table(record).splitlines()
    assert table[2] == "| 2k | 2,016 | 8 | 99.410 | 0.042 | -0.090 +- 0.042 | -0.090 | no |"
    assert table[3] == "| **5k** (picked) | 5,016 | 8 | 99.510 | 0.004 | +0.010 +- 0.004 | +0.010 | yes |"
    assert table[-1].startswith("Validation digits (%), every size under one recipe and the same seeds. Decision: 5k")
    assert frontier_steps(record) == [
        "**7,753 -> 5,016 parameters** (-35%): -0.010 +- 0.004 points over 8 seeds, lower by more than two standard "
        "errors.",
        "**5,016 -> 2,016 parameters** (-60%): -0.100 +- 0.045 points over 8 seeds, lower by more than two standard "
        "errors."]
    incomplete = {"round": 3, "complete": False, "seeds": [1, 2], "candidates": sizes}
    records.write_json(tmp_path / "frontier.json", incomplete)
    monkeypatch.setattr(readme, "TRIAL_SECTIONS", {"search-round3": "frontier.json"})  # the README's view of it
    assert frontier_table(incomplete) == readme.trial_section(tmp_path, "search-round3") == (
        "_Incomplete: 24 runs recorded so far; the decision waits for every size's 2 seeds and for phase 4's test-set "
        "study._")


def test_phase_5s_analysis_says_how_the_frontier_ran_what_each_step_gave_up_and_what_it_foretold_the_test_set():
    from utils.report.analysis import _frontier
    sizes = [size("phase 4's model", 7753, [99.52] * 8), size(frontier.SPECS[3], 5016, [99.52, 99.46] * 4),
             size(frontier.SPECS[2], 3948, [99.49, 99.45] * 4)]
    calibration = {**CALIBRATION, "validation_mean": 99.50, "offset": 0.03}
    record = {"seeds": list(frontier.SEEDS), "candidates": sizes, "calibration": calibration,
              **frontier.decide(sizes, REFERENCE, calibration)}

    def entry(spec, lows):
        return {"recipe": {"model": spec}, "runs": runs(lows)}
    held, missed = [99.45] * 9 + [99.38], [99.42] * 8 + [99.38] * 2
    studies = {"a": entry(frontier.SPECS[3], held), "b": entry(frontier.SPECS[2], missed),
               "c": entry(3, held)}  # 3: phase 4's model, not a size of the frontier
    lines = _frontier(None, {"phase": 4, "params": 7753}, record, studies)
    assert lines[0] == (
        "**The frontier, on validation digits.** 3 models of 3,948 to 7,753 parameters (the largest, phase 4's model) "
        "under one recipe, phase 4's with batches of at most 64, on seeds 1-8 each. Phase 4's recipe scores 99.500% on "
        "validation digits and 99.470% on test digits (its study), an offset of +0.030 points (validation minus "
        "test) that moves the rule's level, 99.450% on test, to 99.500% on validation. The rule's decision: "
        f"{record['reason']}.")
    assert len(lines) == 4 and lines[1].startswith("**7,753 -> 5,016 parameters** (-35%)")
    assert lines[3] == (  # the validation means 99.47 and 99.49, each moved by the offset 0.03; a size off the frontier
        "**What the test-set studies say**, each size's mean against what its validation mean, moved by the offset, "
        "foretold, and its seed spread against phase 4's 0.040, which the level assumes: 3,948 parameters held on 8 of "
        "10 seeds (last-5 minimum 99.41 +- 0.01%, foretold 99.44%; sd 0.017); 5,016 parameters held on 9 of 10 seeds "
        "(last-5 minimum 99.44 +- 0.01%, foretold 99.46%; sd 0.022); 7,753 parameters held on 9 of 10 seeds (last-5 "
        "minimum 99.44 +- 0.01%; sd 0.022). The goal's answer is the verdict's, above.")
