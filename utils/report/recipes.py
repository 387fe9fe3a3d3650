"""Recipes for people: what each key means, a recipe as a table, and what one recipe changes against another."""

from ..core.models import MODEL_NAMES, build_spec, count_parameters
from ..phases import PHASES, phase as phase_row

# What each key means, for the recipe table a notebook shows.
KEY_MEANINGS = {
    "model": "utils.build_model(model)",
    "epochs": "training epochs (the mission allows at most 15)",
    "batch_size": "digits per optimiser step",
    "lr": "SGD's learning rate (the peak, where a schedule lowers it)",
    "momentum": "SGD momentum",
    "nesterov": "Nesterov momentum (gradient at the look-ahead point)",
    "weight_decay": "L2 penalty on every weight",
    "scheduler": "learning-rate schedule, stepped once per epoch",
    "step_size": "StepLR: epochs between drops",
    "milestones": "MultiStepLR: the epochs after which lr drops",
    "gamma": "the factor of each drop",
    "augment": "per-sample RandomAffine + ColorJitter ranges (None: none)",
    "ema": "decay per step of the weight average that is evaluated (absent: the trained weights are)",
    "label_smoothing": "label smoothing of the training loss (absent: none)",
}


def recipe_changes(before: dict | None, after: dict) -> list[str]:
    """What ``after`` changes against ``before``, one ``key: old -> new`` line per key (every key when ``before`` is None)."""
    if before is None:
        return [f"{key}: {_show(value)}" for key, value in after.items()]
    keys = list(before) + [key for key in after if key not in before]
    return [f"{key}: {_show(before.get(key))} -> {_show(after.get(key))}"
            for key in keys if before.get(key) != after.get(key)]


def _show(value) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} {_show(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (tuple, list)):
        return "(" + ", ".join(_show(v) for v in value) + ")"
    return "-" if value is None else str(value)


def recipe_markdown(recipe: dict) -> str:
    """The recipe as a table: key, value, what it means."""
    lines = ["| key | value | meaning |", "|---|---|---|"]
    lines += [f"| `{key}` | {_show(value)} | {KEY_MEANINGS.get(key, '')} |" for key, value in recipe.items()]
    return "\n".join(lines)


def model_name(model: int | str) -> str:
    """What ``utils.build_model(model)`` builds, in words: a phase's model, or a ``build_spec`` string's GAP net."""
    if isinstance(model, int):
        return MODEL_NAMES[model]
    separable = "depthwise-separable 3x3 blocks (sN), " if "s" in model else ""
    return (f"`{model}`, a GAP net of 3x3 convolutions (N), {separable}2x2 max-pool (M), then phase 3's 1x1 conv to "
            f"10 maps and global average pooling ({count_parameters(build_spec(model)):,} parameters)")


def changes_markdown(phase: int) -> str:
    """What ``phase``'s recipe changes against the phase before it in the table, as markdown bullets."""
    row = phase_row(phase)
    index = PHASES.index(row)
    if index == 0:
        return "- the starting point: " + model_name(row.recipe["model"]) + "; every other value in the recipe table below"
    lines = [f"model: {model_name(row.recipe['model'])}" if line.startswith("model: ") else line
             for line in recipe_changes(PHASES[index - 1].recipe, row.recipe)]
    return "\n".join(f"- {line}" for line in lines) or "- nothing"
