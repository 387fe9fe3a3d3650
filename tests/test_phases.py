"""The phase table (utils/phases.py) is the one place a phase is listed: nothing else in the package or its tests
restates which phases exist, what they are called, which have a study or a search, or what their results files are
called, and nothing branches on a phase's number or its place in the table."""

import ast
import re
from pathlib import Path

import utils
from utils.phases import PHASES, WRITTEN_BY

PACKAGE = Path(utils.__file__).parent
TESTS = Path(__file__).parent
NUMBERS = {row.number for row in PHASES}
NOTEBOOK_NAME = re.compile(r"\b0\d_[a-z_]+\b")
NOT_PHASES = {"core/models.py": "the numbered models 1-3 are model keys (phases 3 and 4 share model 3), not phases",
              "test_phases.py": "the table's own test"}



def _numbers(node) -> bool:
    """A literal tuple, list or set of two or more phase numbers."""
    if not isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return False
    values = [e.value for e in node.elts if isinstance(e, ast.Constant) and type(e.value) is int]
    return len(values) >= 2 and len(values) == len(node.elts) and set(values) <= NUMBERS


def _phase_name(node) -> bool:
    return "phase" in ast.unparse(node).lower()


def _phase_value(node) -> bool:
    """A phase's number: ``phase``, ``row.number``, ``record["phase"]``."""
    if isinstance(node, ast.Subscript):
        return isinstance(node.slice, ast.Constant) and node.slice.value == "phase"
    return isinstance(node, (ast.Name, ast.Attribute)) and (
        ast.unparse(node).lower().endswith("phase") or ast.unparse(node).endswith(".number"))


def _table_place(node) -> bool:
    """``PHASES[-1]``, ``utils.PHASES[3]``: a row picked by its place in the table."""
    return (isinstance(node, ast.Subscript) and ast.unparse(node.value).split(".")[-1] == "PHASES"
            and isinstance(node.slice, (ast.Constant, ast.UnaryOp)))


def listings(source: str, tests: bool = False) -> list[str]:
    """Where ``source`` lists phases itself or branches on one: a comparison of a phase's number with a number or with a
    place in the table (``row is PHASES[-1]``), a function looked up by a phase's number (``globals()[...]``), a loop
    of a ``phase`` name over numbers, a ``phase`` name bound to numbers, a dict keyed by three or more phase numbers,
    a notebook's file name or a results file's name (``phase4_trials.json``, ``spread.json``). In ``tests``, where
    expected outputs name notebooks and seeds key dicts, only the branches, the loops and the results files' names."""
    found = []
    for node in ast.walk(ast.parse(source)):
        where = f"line {getattr(node, 'lineno', '?')}: "
        if isinstance(node, ast.Compare) and _phase_value(node.left) and any(
                isinstance(c, ast.Constant) and type(c.value) is int or _numbers(c) for c in node.comparators):
            found.append(where + ast.unparse(node))
        elif isinstance(node, ast.Compare) and any(_table_place(c) for c in [node.left, *node.comparators]):
            found.append(where + ast.unparse(node))
        elif (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Call)
              and ast.unparse(node.value.func) == "globals"):
            found.append(where + "globals()[...]: a function chosen by the phase's number")
        elif isinstance(node, (ast.For, ast.comprehension)) and _phase_name(node.target) and _numbers(node.iter):
            found.append(where.replace("?", "-") + f"{ast.unparse(node.target)} in {ast.unparse(node.iter)}")
        elif tests and not (isinstance(node, ast.Constant) and node.value in WRITTEN_BY):
            continue
        elif isinstance(node, ast.Assign) and any(_phase_name(t) for t in node.targets) and _numbers(node.value):
            found.append(where + ast.unparse(node))
        elif isinstance(node, ast.Dict):
            keys = [k.value for k in node.keys if isinstance(k, ast.Constant) and type(k.value) is int]
            if len(keys) >= 3 and set(keys) <= NUMBERS:
                found.append(where + "a dict keyed by phase numbers")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and (
                NOTEBOOK_NAME.search(node.value) or node.value in WRITTEN_BY):
            found.append(where + repr(node.value[:60]))
    return found


def _offenders(folder: Path) -> dict:
    offenders = {}
    for path in sorted(folder.rglob("*.py")):
        name = str(path.relative_to(folder))
        if name == "phases.py" and folder == PACKAGE or name in NOT_PHASES:
            continue
        found = listings(path.read_text(), tests=folder == TESTS)
        if found:
            offenders[name] = found
    return offenders


def test_no_module_but_the_table_lists_the_phases_or_branches_on_one():
    assert _offenders(PACKAGE) == {}


def test_no_test_lists_the_phases_or_branches_on_one():
    assert _offenders(TESTS) == {}


def test_the_check_finds_each_kind_of_listing():
    source = ("NAMES = {1: 'a', 2: 'b', 3: 'c'}\nif phase in (4, 5):\n    pass\nx = '04_lr_scheduler'\n"
              "STUDIED = [p for p in RECIPES if p.number == 4]\nPHASES = (1, 2, 3)\nseeds = (1, 2, 3)\n"
              "last = row is PHASES[-1]\nwrite = globals()[f'_phase{phase}']\n"
              "f = load('past/phase4_trials_round2.json')\n"
              "g = load('spread.json')\nh = load('bench_cpu.json')\nif row.number == 5:\n    pass")
    assert sorted(listings(source)) == sorted([
        "line 1: a dict keyed by phase numbers", "line 2: phase in (4, 5)", "line 4: '04_lr_scheduler'",
        "line 6: PHASES = (1, 2, 3)", "line 8: row is PHASES[-1]",
        "line 9: globals()[...]: a function chosen by the phase's number", "line 10: 'past/phase4_trials_round2.json'",
        "line 11: 'spread.json'", "line 5: p.number == 4", "line 13: row.number == 5"])
    assert sorted(listings(source, tests=True)) == sorted([
        "line 2: phase in (4, 5)", "line 8: row is PHASES[-1]", "line 5: p.number == 4", "line 13: row.number == 5",
        "line 9: globals()[...]: a function chosen by the phase's number", "line 10: 'past/phase4_trials_round2.json'",
        "line 11: 'spread.json'"])


def test_the_table_is_complete_and_consistent():
    assert [row.number for row in PHASES] == list(range(1, len(PHASES) + 1))
    assert sorted(p.stem for p in (utils.project_root() / "notebooks").glob("*.ipynb")) == \
        [row.notebook for row in PHASES]
