"""The package's imports point one way: from the commands down to the core (README, "How the code is laid out")."""

import ast
from pathlib import Path

import utils

PACKAGE = Path(utils.__file__).parent
# Each part and the parts it may import (besides itself). The core reads no part of the package but ``paths``.
MAY_IMPORT = {
    "paths": set(), "goal": set(), "recipes": set(),
    "phases": {"recipes"},
    "records": {"goal", "paths", "core"},
    "core": {"paths"},
    "trained": {"core", "paths", "phases"},
    "experiments": {"core", "goal", "paths", "phases", "recipes", "records"},
    "checks": {"core", "goal", "paths", "phases", "records"},
    "report": {"checks", "core", "experiments", "goal", "paths", "phases", "recipes", "records", "trained"},
    "commands": {"checks", "core", "experiments", "goal", "paths", "phases", "recipes", "records", "report"},
}


def part_of(path: Path) -> str:
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def imported_parts(path: Path) -> set[str]:
    """The package's parts that ``path`` imports, through relative imports."""
    parts = set()
    depth = len(path.relative_to(PACKAGE).parts) - 1  # 0 for utils/x.py, 1 for utils/core/x.py
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level:
            up = node.level - 1
            if up > depth:
                continue
            base = list(path.relative_to(PACKAGE).parts[:depth - up])
            target = base + (node.module.split(".") if node.module else [alias.name for alias in node.names][:1])
            parts.add(target[0].removesuffix(".py"))
    return parts


def test_imports_point_from_the_commands_down_to_the_core():
    wrong = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == PACKAGE / "__init__.py":
            continue  # the public API re-exports from every part
        part = part_of(path)
        extra = imported_parts(path) - MAY_IMPORT[part] - {part}
        if extra:
            wrong[str(path.relative_to(PACKAGE))] = sorted(extra)
    assert wrong == {}


def test_every_part_is_placed():
    assert {part_of(path) for path in PACKAGE.rglob("*.py") if path != PACKAGE / "__init__.py"} == set(MAY_IMPORT)
