"""The phase table (utils/phases.py) is the one place a phase is listed: nothing else in the package restates which
phases exist, what they are called, or which have a study or a search."""

import ast
import re
from pathlib import Path

import utils
from utils.phases import PHASES, RECIPES, phase

PACKAGE = Path(utils.__file__).parent
NUMBERS = {row.number for row in PHASES}
NOTEBOOK_NAME = re.compile(r"\b0\d_[a-z_]+\b")
NOT_PHASES = {"core/models.py": "the numbered models 1-3 are model keys (phases 3 and 4 share model 3), not phases"}


def _numbers(node) -> bool:
    """A literal tuple, list or set of two or more phase numbers."""
    if not isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return False
    values = [e.value for e in node.elts if isinstance(e, ast.Constant) and type(e.value) is int]
    return len(values) >= 2 and len(values) == len(node.elts) and set(values) <= NUMBERS


def _phase_name(node) -> bool:
    return "phase" in ast.unparse(node).lower()


def listings(source: str) -> list[str]:
    """Where ``source`` lists phases itself: a comparison of a ``phase`` name with a number, a loop of a ``phase``
    name over numbers, a ``phase`` name bound to numbers, a dict keyed by three or more phase numbers, or a
    notebook's file name."""
    found = []
    for node in ast.walk(ast.parse(source)):
        where = f"line {getattr(node, 'lineno', '?')}: "
        if isinstance(node, ast.Compare) and _phase_name(node.left) and any(
                isinstance(c, ast.Constant) and type(c.value) is int or _numbers(c) for c in node.comparators):
            found.append(where + ast.unparse(node))
        elif isinstance(node, (ast.For, ast.comprehension)) and _phase_name(node.target) and _numbers(node.iter):
            found.append(where.replace("?", "-") + f"{ast.unparse(node.target)} in {ast.unparse(node.iter)}")
        elif isinstance(node, ast.Assign) and any(_phase_name(t) for t in node.targets) and _numbers(node.value):
            found.append(where + ast.unparse(node))
        elif isinstance(node, ast.Dict):
            keys = [k.value for k in node.keys if isinstance(k, ast.Constant) and type(k.value) is int]
            if len(keys) >= 3 and set(keys) <= NUMBERS:
                found.append(where + "a dict keyed by phase numbers")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and NOTEBOOK_NAME.search(node.value):
            found.append(where + repr(node.value[:60]))
    return found


def test_no_module_but_the_table_lists_the_phases():
    offenders = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "phases.py" or str(path.relative_to(PACKAGE)) in NOT_PHASES:
            continue
        found = listings(path.read_text())
        if found:
            offenders[str(path.relative_to(PACKAGE))] = found
    assert offenders == {}


def test_the_check_finds_each_kind_of_listing():
    source = ("NAMES = {1: 'a', 2: 'b', 3: 'c'}\nif phase in (4, 5):\n    pass\nx = '04_lr_scheduler'\n"
              "STUDIED = [p for p in RECIPES if p.number == 4]\nPHASES = (1, 2, 3)\nseeds = (1, 2, 3)")
    assert sorted(listings(source)) == sorted([
        "line 1: a dict keyed by phase numbers", "line 2: phase in (4, 5)", "line 4: '04_lr_scheduler'",
        "line 6: PHASES = (1, 2, 3)"])


def test_the_table_is_complete_and_consistent():
    assert [row.number for row in PHASES] == list(range(1, len(PHASES) + 1))
    assert sorted(p.stem for p in (utils.project_root() / "notebooks").glob("*.ipynb")) == \
        [row.notebook for row in PHASES]
    assert RECIPES == {row.number: row.recipe for row in PHASES} and phase(4) is PHASES[3]
    assert [row.number for row in PHASES if row.study] == [4, 5]
    assert [row.chosen_by for row in PHASES if row.chosen_by] == ["phase4_trials_round2.json",
                                                                   "phase5_search_round2.json"]
