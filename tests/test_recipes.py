import json

import pytest

import utils
from utils import recipes
from utils.core.data import PART_SIZES, part_range
from utils.core.models import MODEL_NAMES
from utils.report.recipes import recipe_changes


def test_each_phase_changes_exactly_what_the_series_says():
    changes = [recipe_changes(before.recipe, after.recipe) for before, after in zip(utils.PHASES, utils.PHASES[1:])]
    assert changes == [
        ["model: 1 -> 2"],
        ["model: 2 -> 3", "lr: 0.01 -> 0.05", "augment: - -> {degrees 7.0, translate (0.1, 0.1), scale (0.9, 1.1), "
                                              "brightness 0.2, contrast 0.2}"],
        ["lr: 0.05 -> 0.1", "scheduler: none -> multistep", "milestones: - -> (8, 12)", "gamma: - -> 0.1"],
        ["model: 3 -> 8-8-M-s24-s24-s24-s24"],
    ]


def test_the_seed_write_up_recipe_is_phase_3s_recipe_plus_steplr_and_nothing_else():
    comparison = utils.SEED_WRITE_UP_PHASE4
    assert {k: v for k, v in comparison.items() if k not in ("scheduler", "step_size", "gamma")} == \
        {k: v for k, v in recipes.PHASE3.items() if k != "scheduler"}
    assert (comparison["scheduler"], comparison["step_size"], comparison["gamma"]) == ("step", 6, 0.1)


def test_the_candidates_add_one_lever_each_in_order():
    c = recipes.PHASE4_CANDIDATES
    assert list(c) == list("ABCDEF") == list(recipes.CANDIDATE_LEVERS)
    assert recipe_changes(c["A"], c["B"]) == ["scheduler: step -> multistep", "step_size: 6 -> -",
                                                      "milestones: - -> (8, 12)"]
    assert recipe_changes(c["B"], c["C"]) == ["lr: 0.05 -> 0.1"]
    assert recipe_changes(c["C"], c["D"]) == ["nesterov: False -> True"]
    assert recipe_changes(c["D"], c["E"]) == ["weight_decay: 0.0 -> 0.0001"]
    assert recipe_changes(c["E"], c["F"])[0].startswith("augment: {degrees 7.0")
    assert recipes.PHASE4 == c[recipes.PHASE4_CHOICE]


def test_with_schedule_drops_the_old_schedule_keys():
    stepped = recipes.with_schedule(recipes.PHASE3, recipes.STEP_6)
    back = recipes.with_schedule(stepped, recipes.NO_SCHEDULE)
    assert back == recipes.PHASE3 and "step_size" not in back


def test_changes_are_listed_for_every_phase():
    assert utils.changes_markdown(1).startswith("- the starting point: " + MODEL_NAMES[1])
    assert utils.changes_markdown(2) == "- model: " + MODEL_NAMES[2]
    three = utils.changes_markdown(3).splitlines()
    assert [line.split(":")[0] for line in three] == ["- model", "- lr", "- augment"]
    assert utils.changes_markdown(4).splitlines() == ["- lr: 0.05 -> 0.1", "- scheduler: none -> multistep",
                                                      "- milestones: - -> (8, 12)", "- gamma: - -> 0.1"]


def test_recipe_table_has_a_row_and_a_meaning_per_key():
    table = utils.recipe_markdown(recipes.PHASE4).splitlines()
    assert len(table) == 2 + len(recipes.PHASE4)
    assert all(row.rstrip(" |").split("|")[-1].strip() for row in table[2:])


def test_recipes_survive_json_as_a_results_file_records_them():
    for recipe in utils.RECIPES.values():
        config = utils.run_config(recipe, seed=1)
        assert utils.recipe_of(config) == json.loads(json.dumps(recipe))


def test_validation_split_is_the_last_10000_training_digits():
    assert part_range("validation") == range(50_000, 60_000) and part_range("fit") == range(0, 50_000)
    assert PART_SIZES["fit"] + PART_SIZES["validation"] == PART_SIZES["train"]
    with pytest.raises(ValueError, match="split must be one of test, validation"):
        utils.run_config(recipes.PHASE1, seed=1, split="holdout")


def test_validation_loaders_train_on_the_first_50000_and_evaluate_on_the_rest(mnist_root):
    config = utils.run_config(recipes.PHASE1, seed=1, split="validation", data_dir=mnist_root)
    train, evaluation = utils.make_loaders(config, "cpu")
    images, labels = utils.load_split(train=True, data_dir=mnist_root)
    assert len(train.labels) == 50_000 and len(evaluation.labels) == 10_000
    assert (evaluation.images == images[50_000:]).all() and (train.labels == labels[:50_000]).all()
    tv_train, tv_eval = utils.make_loaders({**config, "pipeline": "torchvision"}, "cpu")
    assert len(tv_train.loader.dataset) == 50_000 and list(tv_eval.loader.dataset.indices) == list(range(50_000, 60_000))
