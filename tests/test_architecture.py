"""The packages import one way (README, Architecture): a rule never depends on storage, storage
never on files or channels, flows never on a channel or the scheduler."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OURS = frozenset({"poverty", "storage", "exchange", "scheduler", "bot", "bench", "tests"})
SHARED_BOT = ("bot.i18n", "bot.settings", "bot.runtime")

ALLOWED: dict[str, frozenset[str]] = {
    "poverty": frozenset({"poverty"}),
    "storage": frozenset({"storage", "poverty"}),
    "exchange": frozenset({"exchange", "storage", "poverty"}),
    "scheduler": frozenset({"scheduler", "storage", "poverty"}),
    "bot.flows": frozenset({"bot.flows", "storage", "exchange", "poverty", "bot.i18n"}),
    "bot.handlers": frozenset(
        {"bot.handlers", "bot.flows", "scheduler", "storage", "exchange", "poverty", *SHARED_BOT}
    ),
}


def layer(module: str) -> str:
    """``bot.flows.engine`` → ``bot.flows``; ``storage.models`` → ``storage``."""
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "bot" and len(parts) > 1 else parts[0]


def imports_of(path: Path) -> set[str]:
    """Every module of ours that ``path`` imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.split(".")[0] in OURS}


def wrong_way(package: str) -> list[str]:
    allowed = ALLOWED[package]
    problems = []
    for path in sorted((ROOT / package.replace(".", "/")).rglob("*.py")):
        for name in sorted(imports_of(path)):
            if layer(name) not in allowed:
                problems.append(f"{path.relative_to(ROOT)} imports {name}")
    return problems


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_package_imports_only_the_layers_below(package: str) -> None:
    assert wrong_way(package) == []


def test_a_flow_importing_the_scheduler_would_be_caught(tmp_path: Path) -> None:
    module = tmp_path / "flow.py"
    module.write_text("from scheduler.reminders import plan\n", encoding="utf-8")
    assert layer(next(iter(imports_of(module)))) not in ALLOWED["bot.flows"]
