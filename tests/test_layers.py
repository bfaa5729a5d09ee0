"""The import layers hold: checked from the source, not hoped for.

import-linter cannot see ``cvlogs.grammars`` (setuptools maps it from the top-level ``grammars/``
folder, and grimp only walks package folders), so the contracts are read here with ``ast``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _module_name(path: Path) -> str:
    relative = path.relative_to(ROOT).with_suffix("")
    parts = list(relative.parts)
    if parts[0] == "grammars":
        parts.insert(0, "cvlogs")
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Absolute names of every module that ``path`` imports (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            module = ".".join([*base, node.module] if node.module else base)
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


MODULES = {
    _module_name(p): _imports(p)
    for p in [*ROOT.joinpath("cvlogs").rglob("*.py"), *ROOT.joinpath("grammars").rglob("*.py")]
}


def _importers(prefix: str) -> set[str]:
    return {
        name for name, imported in MODULES.items() if any(i == prefix or i.startswith(prefix + ".") for i in imported)
    }


def test_the_layers_were_found() -> None:
    """The checker sees both packages (a guard against checking nothing)."""
    assert "cvlogs.grammars.header" in MODULES
    assert "cvlogs.parsing.scanner" in MODULES


def test_grammars_import_only_pyparsing_and_each_other() -> None:
    """Grammar modules are pure definitions."""
    for name, imported in MODULES.items():
        if name.startswith("cvlogs.grammars"):
            outside = {i for i in imported if i.split(".")[0] not in {"pyparsing", "re", "__future__", "dataclasses"}}
            assert all(i.startswith("cvlogs.grammars") for i in outside), (name, outside)


def test_only_the_parsing_stage_imports_the_grammars() -> None:
    """No module outside cvlogs.parsing reaches into the grammars."""
    importers = {n for n in _importers("cvlogs.grammars") if not n.startswith("cvlogs.grammars")}
    assert importers
    assert all(name.startswith("cvlogs.parsing") for name in importers), importers


@pytest.mark.parametrize("library", ["typer"])
def test_only_the_command_line_imports_typer(library: str) -> None:
    """typer stays in the command-line layer."""
    assert _importers(library) <= {"cvlogs.cli"} | {n for n in MODULES if n.startswith("cvlogs.cli.")}
