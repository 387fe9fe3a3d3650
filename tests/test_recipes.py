import ast
from pathlib import Path

import pytest

import utils
from utils import recipes
from utils.core.models import MODEL_NAMES
from utils.report.recipes import recipe_changes
from utils.report.recipes import changes_markdown
from utils.recipes import WRITE_UP_PHASE4


def test_each_phase_changes_exactly_what_the_series_says():
    changes = [recipe_changes(before.recipe, after.recipe) for before, after in zip(utils.PHASES, utils.PHASES[1:])]
    assert changes == [
        ["model: 1 -> 2"],
        ["model: 2 -> 3", "optimizer.lr: 0.01 -> 0.05",
         "augment: - -> {degrees 7.0, translate (0.1, 0.1), scale (0.9, 1.1), brightness 0.2, contrast 0.2}"],
        ["train.batch_size: 128 -> 64", "train.ema: - -> 0.999", "optimizer.lr: 0.05 -> 0.1",
         "schedule.name: none -> multistep", "schedule.milestones: - -> (8, 12)", "schedule.gamma: - -> 0.1"],
        ["model: 3 -> 8-d8-M-s44-s44-s44"],  # phase 5: the frontier's pick, under phase 4's recipe
    ]
    # as the README lists them: the starting point, then a bullet per change, a model in words
    assert changes_markdown(1).startswith("- the starting point: " + MODEL_NAMES[1])
    assert changes_markdown(2) == "- model: " + MODEL_NAMES[2]
    assert changes_markdown(4) == "\n".join(f"- {line}" for line in changes[2])


def test_every_recipe_has_the_same_groups_and_keys():
    shape = {group: sorted(value) if group in ("train", "optimizer") else None
             for group, value in recipes.PHASE1.items()}
    for recipe in [*utils.RECIPES.values(), recipes.WRITE_UP_PHASE4]:
        assert {group: sorted(value) if group in ("train", "optimizer") else None
                for group, value in recipe.items()} == shape


def test_each_recipe_in_use_is_one_whole_literal():
    """Every recipe the phase table uses is assigned in utils/recipes.py as one literal: nothing built from another
    recipe, so editing one never changes another."""
    source = ast.parse(Path(recipes.__file__).read_text())
    assigned = {}  # name -> every value assigned to it at the top of the module (a literal, or None)
    for node in source.body:
        for target in node.targets if isinstance(node, ast.Assign) else []:
            if isinstance(target, ast.Name):
                try:
                    value = ast.literal_eval(node.value)
                except (ValueError, TypeError, SyntaxError):  # not a literal: computed from something else
                    value = None
                assigned.setdefault(target.id, []).append(value)
    literal = {name: values[0] for name, values in assigned.items() if len(values) == 1}
    in_use = [row.recipe for row in utils.PHASES] + [recipe for row in utils.PHASES for _, recipe in row.compared_with]
    names = [next((name for name in vars(recipes) if getattr(recipes, name) is recipe), None) for recipe in in_use]
    assert [literal.get(name) for name in names] == in_use


def test_the_seed_write_up_recipe_is_phase_3s_recipe_plus_steplr_and_nothing_else():
    assert recipe_changes(recipes.PHASE3, WRITE_UP_PHASE4) == [
        "schedule.name: none -> step", "schedule.step_size: - -> 6", "schedule.gamma: - -> 0.1"]


def test_tweak_copies_and_refuses_a_key_the_recipe_lacks():
    tweaked = recipes.tweak(recipes.PHASE3, {"optimizer.lr": 0.2, "schedule": {"name": "cosine"}})
    assert (tweaked["optimizer"]["lr"], tweaked["schedule"]) == (0.2, {"name": "cosine"})
    assert recipes.PHASE3["optimizer"]["lr"] == 0.05 and recipes.PHASE3["schedule"] == {"name": "none"}
    tweaked["augment"]["degrees"] = 0.0
    assert recipes.PHASE3["augment"]["degrees"] == 7.0  # a deep copy: the phase's literal is never shared
    with pytest.raises(KeyError, match="'optimizer.lrr' is not a key"):
        recipes.tweak(recipes.PHASE3, {"optimizer.lrr": 0.2})


def test_recipe_table_has_a_row_and_a_meaning_per_key():
    table = utils.recipe_markdown(recipes.PHASE4).splitlines()
    assert [row.split("|")[1].strip() for row in table[2:]] == [
        "`model`", "`train.epochs`", "`train.batch_size`", "`train.label_smoothing`", "`train.ema`",
        "`optimizer.lr`", "`optimizer.momentum`", "`optimizer.nesterov`", "`optimizer.weight_decay`",
        "`schedule.name`", "`schedule.milestones`", "`schedule.gamma`", "`augment`"]
    assert all(row.rstrip(" |").split("|")[-1].strip() for row in table[2:])


def test_validation_loaders_train_on_the_first_50000_and_evaluate_on_the_rest(mnist_root):
    with pytest.raises(ValueError, match="split must be one of test, validation"):
        utils.run_config(recipes.PHASE1, seed=1, split="holdout")
    config = utils.run_config(recipes.PHASE1, seed=1, split="validation", data_dir=mnist_root)
    train, evaluation = utils.make_loaders(config, "cpu")
    images, labels = utils.load_split(train=True, data_dir=mnist_root)
    assert len(train.labels) == 50_000 and len(evaluation.labels) == 10_000
    assert (evaluation.images == images[50_000:]).all() and (train.labels == labels[:50_000]).all()
    tv_train, tv_eval = utils.make_loaders({**config, "pipeline": "torchvision"}, "cpu")
    assert (len(tv_train.loader.dataset) == 50_000
            and list(tv_eval.loader.dataset.indices) == list(range(50_000, 60_000)))


def test_a_spec_is_described_by_the_kinds_of_block_it_uses_in_one_order():
    from utils.report.recipes import model_name
    assert model_name("8-d8-M-s44-s44-s44") == (
        "`8-d8-M-s44-s44-s44`, a GAP net of 3x3 convolutions (N), 3x3 convolutions with dilation 2 (dN), 2x2 max-pool "
        "(M), depthwise-separable 3x3 blocks (sN), then phase 3's 1x1 conv to 10 maps and global average pooling "
        "(6,664 parameters)")
    plain = model_name("8-8-M-t16-16")
    assert "1x1 convolutions (tN)" in plain and "dilation" not in plain and "separable" not in plain
