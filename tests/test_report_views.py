"""The notebooks read like a report: one view of each model, of each history and of each seed study, and every
notebook in the same order (title, target and what it changes first; then data, model, training, results, analysis,
verdict). Exact values for the views the notebooks call; the layout read from the committed notebooks' sources."""

import re

import pytest

import utils
from utils.report.analysis import gap_reading
from conftest import NOTEBOOKS, cells, history, runs

SECTIONS = ["Parameters", "Data", "Model", "Training", "Results", "Analysis", "Verdict", "Save"]
STUDIED = {row.number for row in utils.PHASES if row.study}  # their verdict, over the study, comes before the results
STUDIED_SECTIONS = ["Parameters", "Data", "Model", "Training", "Verdict", "Results", "Analysis", "Save"]


def test_the_last5_table_holds_the_epochs_the_target_judges_exactly():
    seven = history(test_acc=[98.0, 99.1, 99.39, 99.4, 99.41, 99.52, 99.3],
                    test_loss=[0.05, 0.03, 0.021, 0.02, 0.0195, 0.01849, 0.025],
                    lr=[0.1, 0.1, 0.1, 0.01, 0.01, 0.001, 0.001])
    assert utils.last5_markdown(seven) == "\n".join([
        "| epoch | lr | test loss | test acc (%) | >= 99.40 |",
        "|---:|---:|---:|---:|:---:|",
        "| 3 | 0.10000 | 0.0210 | 99.39 | no |",
        "| 4 | 0.01000 | 0.0200 | 99.40 | yes |",
        "| 5 | 0.01000 | 0.0195 | 99.41 | yes |",
        "| 6 | 0.00100 | 0.0185 | 99.52 | yes |",
        "| 7 | 0.00100 | 0.0250 | 99.30 | no |",
    ])


def test_a_run_shorter_than_the_judged_epochs_shows_every_epoch():
    table = utils.last5_markdown(history(test_acc=[11.5, 97.25], test_loss=[2.3, 0.1]))
    assert table.splitlines()[2:] == ["| 1 | 0.01000 | 2.3000 | 11.50 | no |", "| 2 | 0.01000 | 0.1000 | 97.25 | no |"]


def test_the_model_memory_is_one_line_of_torchsummarys_numbers():
    assert utils.model_memory(utils.build_model(3)) == (
        "one 1x28x28 digit through the model: forward/backward pass 0.42 MB, parameters 0.03 MB, estimated total "
        "0.46 MB (torchsummary)")


def test_a_gap_is_called_overfitting_only_once_the_test_loss_has_stopped_falling():
    record = dict(train_acc=[98.0, 99.0, 99.4], test_acc=[98.2, 99.0, 99.2], test_loss=[0.05, 0.03, 0.0264])
    assert gap_reading(record) == ("A train-test gap, not overfitting",
                                   "yet the test loss is lowest at the last epoch (0.0264): the model is still "
                                   "improving on the test digits")
    heading, reading = gap_reading({**record, "test_loss": [0.05, 0.0201, 0.0264]})
    assert heading == "A train-test gap, and the test loss has stopped falling"
    assert reading.startswith("and the test loss was lowest at epoch 2 (0.0201), 0.0264 at the end")
    assert gap_reading({**record, "test_acc": [98.2, 99.0, 99.4]})[0] == "No train-test gap"


def test_a_study_recorded_for_another_recipe_is_refused(tmp_path):
    from utils.records import write_json
    recipe = utils.tweak(utils.RECIPES[4], {"optimizer.lr": 0.2})
    write_json(tmp_path / utils.PHASES[3].study, {"recipes": [{"name": "final recipe", "recipe": recipe, "runs": []}]})
    with pytest.raises(ValueError, match="records another recipe than phase 4's .it differs in: optimizer.: run make "
                                         "study PHASE=4"):
        utils.load_study(4, tmp_path)
    runs = [{"seed": seed} for seed in (1, 2)]
    study = {"seeds": [1, 2, 3], "compared_seeds": [],
             "recipes": [{"name": "final recipe", "recipe": utils.RECIPES[4], "runs": runs}]}
    write_json(tmp_path / utils.PHASES[3].study, study)
    with pytest.raises(ValueError, match="is not complete: final recipe has 2 of its 3 seeds; run make study PHASE=4"):
        utils.load_study(4, tmp_path)
    write_json(tmp_path / utils.PHASES[3].study, {**study, "seeds": [1, 2]})
    assert utils.load_study(4, tmp_path)["recipes"][0]["name"] == "final recipe"


# The committed notebooks' layout (sources only: the outputs are the last full run's).

def code(phase) -> str:
    return "\n".join(c.source for c in cells(phase) if c.cell_type == "code")


@pytest.mark.parametrize("phase", NOTEBOOKS)
def test_the_first_screen_is_the_title_the_target_and_what_the_phase_changes_then_the_sections_in_report_order(phase):
    nb = cells(phase)
    assert nb[0].cell_type == "markdown" and nb[0].source.startswith(f"# Phase {phase}")
    assert f"Part {phase} of {len(NOTEBOOKS)} of the series" in nb[0].source and "**Target.**" in nb[0].source
    assert "google.colab" in nb[1].source and nb[1].metadata["jupyter"]["source_hidden"]  # one folded line
    assert nb[2].cell_type == "markdown" and nb[2].source.startswith("## Parameters\n")
    assert "parameters" in nb[3].metadata.get("tags", [])
    previous = [row.number for row in utils.PHASES if row.number < phase][-1:]  # what it changes: one table
    shown = "utils.recipe_markdown(utils.recipe_of(config)" + "".join(
        f', ("phase {n}", utils.RECIPES[{n}])' for n in previous) + "))"
    assert shown in nb[4].source and "changes_markdown" not in code(phase)
    headings = [line[3:] for c in nb if c.cell_type == "markdown" for line in c.source.splitlines()
                if line.startswith("## ")]
    chosen = [h for h in headings if h.startswith("How the")]  # phases 4 and 5: how their recipe or model was chosen
    assert [h for h in headings if h not in chosen] == (STUDIED_SECTIONS if phase in STUDIED else SECTIONS)
    for h in chosen:
        assert headings.index("Model") < headings.index(h) < headings.index("Training")


@pytest.mark.parametrize("phase", NOTEBOOKS)
def test_one_view_of_each_model_history_and_seed_study_and_one_training_call(phase):
    source = code(phase)
    for gone in ("utils.model_summary(", "utils.history_markdown(", "utils.make_optimizer(", "utils.fit("):
        assert gone not in source
    assert source.count("utils.table_markdown(utils.layer_table(") == 1 and source.count("utils.model_memory(") == 1
    assert source.count("utils.plot_history(") == 1
    # the judged epochs once: in the last-5 table, or, for a studied phase, in the verdict block (one draw of the study)
    assert source.count("utils.last5_markdown(history)") == (phase not in STUDIED)
    assert source.count("utils.verdict_block(record, study)") == (phase in STUDIED)
    assert source.count("utils.verdict(") == (phase not in STUDIED) and "utils.study_verdict(" not in source
    assert source.count("utils.study_table(study)") == source.count(f"utils.load_study({phase})") == (phase in STUDIED)
    assert source.find(f"utils.load_study({phase})") <= source.find("utils.verdict_block(")  # loaded, then judged
    nb = [c for c in cells(phase) if c.cell_type == "code"]
    train = next(i for i, c in enumerate(nb) if "utils.train(" in c.source)
    assert nb[train].source.startswith("model, history = utils.train(model, train_batches, test_batches, config)")
    assert nb[train - 1].source.startswith('utils.seed_everything(config["seed"])\nmodel = utils.build_model(')
    for c in nb:
        if any(view in c.source for view in ("utils.table_markdown(", "utils.model_memory(", "utils.verdict(",
                                             "utils.verdict_block(", "utils.study_table(", "utils.finalists_table(")):
            assert c.source.startswith("# NBVAL_CHECK_OUTPUT\n")


@pytest.mark.parametrize("phase", NOTEBOOKS)
def test_later_notebooks_show_only_what_they_change(phase):
    source = code(phase)
    assert ("utils.plot_digits(train_images" in source) == (phase == utils.PHASES[0].number)
    introduces = utils.RECIPES[phase].get("augment") != (utils.RECIPES[phase - 1].get("augment")
                                                         if phase - 1 in utils.RECIPES else None)
    assert ("utils.plot_augmentation_rows(" in source) == introduces
    assert 'print(f"MNIST verified:' in source


@pytest.mark.parametrize("phase", NOTEBOOKS)
def test_seed_means_a_random_seed_in_the_prose(phase):
    prose = "\n".join(c.source for c in cells(phase) if c.cell_type == "markdown")
    prose = re.sub(r"`[^`]*`", "", prose)  # a quoted name (a study's, as its results record it) is not prose
    for phrase in ("seed write-up", "seed's write-up", "seed reported", "beyond the seed", "the seed's"):
        assert phrase not in prose.lower()


def test_phase_4s_analysis_states_each_rounds_decision_with_its_statistics():
    from utils.experiments.trials import choose
    from utils.report.analysis import _trials_choice
    finalists = [{"name": "base", "levers": [], "runs": runs([99.36, 99.40, 99.38, 99.42] * 2)},
                 {"name": "ema", "levers": ["ema"], "runs": runs([99.38, 99.41, 99.38, 99.43] * 2)}]
    _, chosen, comparisons, reason = choose(finalists, range(1, 9))
    text = _trials_choice({"round": 2, "picked": chosen["name"], "reason": reason, "comparisons": comparisons})
    assert text == ("**Round 2 of the trials picked ema, on validation digits, with 8 seeds per finalist.** Short of "
                    "the best by more than one standard error: base. The finalists' means span 0.010 points.")
    score = {"mean": 99.39, "se": 0.01, "seeds": 16}  # round 3: a single finalist and its gain over round 2's pick
    text = _trials_choice({"round": 3, "picked": "batch-64", "comparisons": {"batch-64": {"score": score, "tie": True}},
                           "vs_round2": {"mean": 0.04, "se": 0.018, "seeds": 8}})
    assert text == ("**Round 3 of the trials picked batch-64, on validation digits, with 16 seeds.** Against round 2's "
                    "pick, seed by seed over the 8 seeds both ran: +0.040 +- 0.018 points, higher by more than two "
                    "standard errors.")


def test_phase_4s_study_is_compared_seed_by_seed_with_the_original_write_ups_recipe():
    from utils.report.analysis import _paired_sentence

    other = {"runs": runs([99.40] * 4)}
    assert _paired_sentence({"runs": runs([99.50, 99.40, 99.45, 99.55, 99.60])}, other) == (
        "Seed by seed over the 4 seeds both ran, the final recipe's last-5 minimum is +0.075 +- 0.032 points from the "
        "original write-up's: higher by more than two standard errors.")  # seed 5 has no partner and is left out
    assert _paired_sentence({"runs": runs([99.43, 99.37, 99.40, 99.42])}, other).endswith(
        "+0.005 +- 0.013 points from the original write-up's: no detectable difference (within one standard error).")


@pytest.mark.parametrize("acc, says", [
    ([99.0] * 10 + [99.30, 99.37, 99.34, 99.17, 99.24], "no epoch reaches 99.40%."),
    ([99.0] * 10 + [99.30, 99.42, 99.34, 99.17, 99.41], "it reaches 99.40% in 2 of 15 epochs."),
])
def test_phase_3s_analysis_counts_the_epochs_at_the_target_in_words(acc, says):
    record = {"phase": 3, "epochs": 15, "params": 7753, "test_acc": acc, "train_acc": [98.0] * 15}
    previous = {"params": 7974, "test_acc": [99.2] * 15, "train_acc": [99.5] * 15}
    text = utils.analysis_markdown(record, previous)
    assert says in text and "epoch(s)" not in text
    assert ("Touching the target once is what the mission rules out." in text) == ("in 2 of" in says)


@pytest.mark.parametrize("held, says", [
    (10, "and 10 of 10 seeds held."), (9, "and 9 of 10 seeds held; the one that fell below the line did so by chance."),
    (8, "so some seeds fall below it by chance; holding on 9 of every 10 seeds needs the mean itself higher.")])
def test_a_studys_count_of_held_seeds_is_put_into_words_by_the_count(held, says):
    from utils.report.analysis import _held_words
    assert _held_words({"held": held, "seeds": 10}) == says
    assert _held_words({"held": 18, "seeds": 20}).endswith("; those that fell below the line did so by chance.")


def test_a_miss_is_placed_in_the_judged_window_with_its_learning_rate():
    from utils.experiments.phase4_round4 import CANDIDATES
    from utils.recipes import PHASE4
    from utils.report.analysis import lr_by_epoch, misses_words
    assert lr_by_epoch(PHASE4, 10) == pytest.approx([0.1] * 8 + [0.01] * 4 + [0.001] * 3)
    onecycle = next(c for c in CANDIDATES if c.name == "onecycle").recipe
    assert lr_by_epoch(onecycle, 10)[:3] == pytest.approx([0.03, 0.165, 0.3]) and lr_by_epoch(onecycle, 10)[11:] == \
        pytest.approx([0.001] * 4)
    held = {"seed": 1, "acc": [99.0] * 10 + [99.5] * 5}
    missed = {"seed": 2, "acc": [99.0] * 10 + [99.37, 99.41, 99.39, 99.45, 99.45]}
    assert misses_words([held, missed], PHASE4, 10) == [
        "seed 2: below 99.40% in epochs 11, 13 of 11-15, lowest 99.37% at epoch 11 (lr 0.01)"]
