"""Do two trees of the package compute the same numbers? A refactor's check (issue 16: behaviour does not change).

    PYTHONPATH=/path/to/old python tools/same_numbers.py > old.json
    PYTHONPATH=/path/to/new python tools/same_numbers.py > new.json
    python tools/same_numbers.py --compare old.json new.json

Each phase's recipe, seed 1, 2 epochs on the first 6,000 training digits and 2,000 test digits, one thread: every
per-epoch number of the history (accuracies, losses, the learning rate of every step), the seconds left out. On one
machine the same computation gives bit-identical numbers, so any difference is a change of behaviour.
(November 2026, on the AVX2 machine: main a1ad23d against the nested-recipe redesign, all five phases identical.)
"""

import dataclasses
import json
import sys


def histories() -> dict:
    import torch
    torch.set_num_threads(1)
    import utils
    runs = {}
    for phase, recipe in utils.RECIPES.items():
        config = utils.run_config(recipe, seed=1, epochs=2, limit_train=6000, limit_test=2000, device="cpu")
        _, history = utils.train_recipe(config, "cpu", progress=False)
        runs[phase] = {key: value for key, value in dataclasses.asdict(history).items() if key != "seconds"}
    return {"utils": utils.__file__, "runs": runs}


if __name__ == "__main__":
    if sys.argv[1:2] == ["--compare"]:
        old, new = (json.load(open(path)) for path in sys.argv[2:4])
        same = {phase: old["runs"][phase] == new["runs"].get(phase) for phase in old["runs"]}
        print("\n".join(f"phase {phase}: {'identical' if ok else 'DIFFERENT'}" for phase, ok in same.items()))
        sys.exit(0 if all(same.values()) else 1)
    print(json.dumps(histories()))
