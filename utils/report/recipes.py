"""Recipes for people: what each key means, a recipe as a table, and what one recipe changes against another."""

from ..core.models import MODEL_NAMES, build_spec, count_parameters
from ..phases import PHASES, phase as phase_row

# What each key means, for the recipe table a notebook shows (keys as ``recipe_changes`` writes them).
KEY_MEANINGS = {
    "model": "utils.build_model(model)",
    "train.epochs": "training epochs (the target allows at most 15)",
    "train.batch_size": "digits per optimiser step",
    "train.label_smoothing": "weight of the uniform target mixed into the training loss (0: none)",
    "train.ema": "decay per step of the weight average that is evaluated (-: the trained weights are)",
    "train.ema_restart": "the epoch after which the weight average starts again (-: never)",
    "train.bn_refresh": "training digits over which the average's BatchNorm statistics are recomputed (-: none)",
    "optimizer.lr": "SGD's learning rate (the peak, where a schedule lowers it)",
    "optimizer.momentum": "SGD momentum",
    "optimizer.nesterov": "Nesterov momentum (gradient at the look-ahead point)",
    "optimizer.weight_decay": "L2 penalty on every weight",
    "schedule.name": "learning-rate schedule: step and multistep lower lr after whole epochs, cosine and onecycle "
                     "move it after every batch",
    "schedule.step_size": "StepLR: epochs between drops",
    "schedule.milestones": "MultiStepLR: the epochs after which lr drops",
    "schedule.gamma": "the factor of each drop",
    "schedule.pct_start": "OneCycleLR: the share of steps spent rising to the peak",
    "schedule.div_factor": "OneCycleLR: the peak over the starting lr",
    "schedule.final_div_factor": "OneCycleLR: the starting lr over the final lr",
    "augment": "per-sample RandomAffine + ColorJitter ranges (-: none)",
}
GROUPS = ("train", "optimizer", "schedule")  # a recipe's groups shown key by key; ``augment`` is shown whole


def flat(recipe: dict) -> dict:
    """``recipe`` with each group's keys written ``group.key``, in the recipe's order."""
    out = {}
    for key, value in recipe.items():
        if key in GROUPS:
            out.update({f"{key}.{inner}": v for inner, v in value.items()})
        else:
            out[key] = value
    return out


def recipe_changes(before: dict | None, after: dict) -> list[str]:
    """What ``after`` changes against ``before``, one ``key: old -> new`` line per key (every key when ``before`` is
    None); a group's keys are written ``group.key``."""
    after = flat(after)
    if before is None:
        return [f"{key}: {_show(value)}" for key, value in after.items()]
    before = flat(before)
    keys = list(before) + [key for key in after if key not in before]
    return [f"{key}: {_show(before.get(key))} -> {_show(after.get(key))}"
            for key in keys if before.get(key) != after.get(key)]


def _show(value) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} {_show(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (tuple, list)):
        return "(" + ", ".join(_show(v) for v in value) + ")"
    return "-" if value is None else str(value)


def recipe_markdown(recipe: dict, previous: tuple[str, dict] | None = None) -> str:
    """The recipe as a table: key, value, what it means; with ``previous`` (its name and recipe), a column of what
    this recipe changes against it, the changed values in bold."""
    now = flat(recipe)
    before = flat(previous[1]) if previous else {}
    keys = list(now) + [key for key in before if key not in now]
    changed = {key for key in keys if previous and _show(before.get(key)) != _show(now.get(key))}  # tuples = lists
    head = f" {previous[0]} |" if previous else ""
    lines = [f"| key | value |{head} meaning |", "|---|---|" + ("---|" if previous else "") + "---|"]
    for key in keys:
        value = f"**{_show(now.get(key))}**" if key in changed else _show(now.get(key))
        was = f" {_show(before.get(key))} |" if key in changed else (" |" if previous else "")
        lines.append(f"| `{key}` | {value} |{was} {KEY_MEANINGS[key]} |")
    return "\n".join(lines)


# A build_spec token's kind (its first letter, "" for a plain number) in words, in the order a description lists them.
SPEC_KINDS = {"": "3x3 convolutions (N)", "d": "3x3 convolutions with dilation 2 (dN)", "M": "2x2 max-pool (M)",
              "s": "depthwise-separable 3x3 blocks (sN)", "x": "one such block used K times (sNxK)",
              "w": "depthwise-separable 5x5 blocks (wN)", "f": "3x3 convolutions factorised as 3x1 then 1x3 (fN)",
              "t": "1x1 convolutions (tN)"}


def model_name(model: int | str) -> str:
    """What ``utils.build_model(model)`` builds, in words: a phase's model, or a ``build_spec`` string's GAP net."""
    if isinstance(model, int):
        return MODEL_NAMES[model]
    tokens = model.split("-")
    kinds = {token[0] if token[0] in SPEC_KINDS else "" for token in tokens} | {"x" for token in tokens if "x" in token}
    blocks = ", ".join(words for kind, words in SPEC_KINDS.items() if kind in kinds)
    return (f"`{model}`, a GAP net of {blocks}, then phase 3's 1x1 conv to 10 maps and global average pooling "
            f"({count_parameters(build_spec(model)):,} parameters)")


def changes_markdown(phase: int) -> str:
    """What ``phase``'s recipe changes against the phase before it in the table, as markdown bullets."""
    row = phase_row(phase)
    index = PHASES.index(row)
    if index == 0:
        return ("- the starting point: " + model_name(row.recipe["model"]) + "; every other value in notebook 1's "
                "recipe table (`utils/recipes.py`)")
    lines = [f"model: {model_name(row.recipe['model'])}" if line.startswith("model: ") else line
             for line in recipe_changes(PHASES[index - 1].recipe, row.recipe)]
    return "\n".join(f"- {line}" for line in lines) or "- nothing"
