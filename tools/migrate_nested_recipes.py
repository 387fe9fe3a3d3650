"""One-off migration (November 2026): every recipe recorded in results/*.json from the flat form to the nested one
that utils/recipes.py now writes (model / train / optimizer / schedule / augment). Idempotent: a recipe already
nested is left as it is. Delete this file once no flat record is left anywhere (round 2 of the trials was still
running on the flat code when the package moved). Usage: python tools/migrate_nested_recipes.py [results_dir]
"""

import json
import sys
from pathlib import Path

SCHEDULE_KEYS = ("step_size", "milestones", "gamma", "pct_start", "div_factor", "final_div_factor")
FLAT_KEYS = {"model", "epochs", "batch_size", "lr", "momentum", "nesterov", "weight_decay", "scheduler", "augment",
             "ema", "label_smoothing", *SCHEDULE_KEYS}


def nest(flat: dict) -> dict:
    if "train" in flat:
        return flat
    unknown = set(flat) - FLAT_KEYS
    if unknown:
        raise ValueError(f"unknown recipe keys {sorted(unknown)}")
    return {
        "model": flat["model"],
        "train": {"epochs": flat["epochs"], "batch_size": flat["batch_size"],
                  "label_smoothing": flat.get("label_smoothing", 0.0), "ema": flat.get("ema")},
        "optimizer": {"lr": flat["lr"], "momentum": flat["momentum"], "nesterov": flat["nesterov"],
                      "weight_decay": flat["weight_decay"]},
        "schedule": {"name": flat["scheduler"], **{key: flat[key] for key in SCHEDULE_KEYS if key in flat}},
        "augment": flat["augment"],
    }


def migrate(node):
    if isinstance(node, dict):
        return {key: nest(migrate(value)) if key == "recipe" else migrate(value) for key, value in node.items()}
    if isinstance(node, list):
        return [migrate(value) for value in node]
    return node


if __name__ == "__main__":
    results = Path(sys.argv[1] if len(sys.argv) > 1 else "results")
    for path in sorted(results.glob("*.json")):
        before = json.loads(path.read_text())
        after = migrate(before)
        if after != before:
            path.write_text(json.dumps(after, indent=1) + "\n")
            print(f"migrated {path}")
