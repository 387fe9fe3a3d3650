"""The package's imports point one way: from the commands down to the core (README, "How the code is laid out")."""

import ast
from pathlib import Path

import utils

PACKAGE = Path(utils.__file__).parent
# Each part and the parts it may import (besides itself). The core reads no part of the package but ``paths``.
MAY_IMPORT = {
    "paths": set(), "goal": set(), "recipes": set(),
    "phases": {"recipes"},
    "records": {"goal", "paths", "core", "phases"},  # phases: the results files' names
    "core": {"paths"},
    "trained": {"core", "paths", "phases"},
    "experiments": {"core", "goal", "paths", "phases", "recipes", "records"},
    "checks": {"core", "goal", "paths", "phases", "records"},
    "report": {"checks", "core", "experiments", "goal", "paths", "phases", "recipes", "records", "trained"},
    "commands": {"checks", "core", "experiments", "goal", "paths", "phases", "recipes", "records", "report"},
}


def part_of(path: Path) -> str:
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def _part(dotted: list[str]) -> str:
    """The part a dotted path below the package names: ``["report", "tables"]`` -> "report"; ``[]`` -> the package
    itself ("utils", whose ``__init__`` imports every part)."""
    return dotted[0].removesuffix(".py") if dotted else PACKAGE.name


def imported_parts(source: str, where: Path) -> set[str]:
    """The package's parts that ``source`` (the file at ``where``, relative to the package) imports: relative imports
    (``from ..report import x``, ``from .. import report, records``: every name), absolute ones (``from utils.report.tables
    import x``, ``from utils import paths, report``) and plain ones (``import utils.report.tables``), and
    ``importlib.import_module("utils.x")`` with a literal name, at any depth of the module (inside functions too)."""
    parts = set()
    depth = len(where.parts) - 1  # 0 for utils/x.py, 1 for utils/core/x.py
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.level:
            up = node.level - 1
            if up > depth:
                continue
            base = list(where.parts[:depth - up])
            named = [node.module.split(".")] if node.module else [[alias.name] for alias in node.names]
            parts |= {_part(base + dotted) for dotted in named}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == PACKAGE.name:
            below = node.module.split(".")[1:]
            parts |= {_part(below)} if below else {_part([alias.name]) for alias in node.names}
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == PACKAGE.name:
                    parts.add(_part(alias.name.split(".")[1:]))
        elif (isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "import_module" and node.args
              and isinstance(node.args[0], ast.Constant) and str(node.args[0].value).startswith(f"{PACKAGE.name}.")):
            parts.add(_part(node.args[0].value.split(".")[1:]))
    return parts


def test_imports_point_from_the_commands_down_to_the_core():
    wrong = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == PACKAGE / "__init__.py":
            continue  # the public API re-exports from every part
        part = part_of(path)
        extra = imported_parts(path.read_text(), path.relative_to(PACKAGE)) - MAY_IMPORT[part] - {part}
        if extra:
            wrong[str(path.relative_to(PACKAGE))] = sorted(extra)
    assert wrong == {}


def test_the_check_sees_relative_absolute_and_plain_imports_at_any_depth():
    core, leaf = Path("core/fast.py"), Path("goal.py")
    assert imported_parts("from ..report.tables import x", core) == {"report"}
    assert imported_parts("from . import data\nfrom .models import y", core) == {"core"}
    assert imported_parts("from utils.report.tables import x", core) == {"report"}
    assert imported_parts("import utils.report.tables", core) == {"report"}
    assert imported_parts("def f():\n    from utils import records", core) == {"records"}
    assert imported_parts("import utils", leaf) == {"utils"}  # the whole package: allowed to no part
    assert imported_parts("from utils.records import load", leaf) == {"records"}
    assert imported_parts("import torch\nfrom torch import nn", core) == set()
    assert imported_parts("from utils import paths, report", leaf) == {"paths", "report"}  # every name, not the first
    assert imported_parts("from .. import records, report", core) == {"records", "report"}
    assert imported_parts("import importlib\nimportlib.import_module('utils.report.plots')", core) == {"report"}
