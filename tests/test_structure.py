"""The code's shape, as the README's module map describes it: modules that import each other in one
direction, none too long to read at a sitting, each named in the map; and the README's command
examples accepted by the command they show."""

from __future__ import annotations

import ast
import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from voiceguide.cli import cli

PACKAGE = Path(__file__).parent.parent / "voiceguide"
README = Path(__file__).parent.parent / "README.md"
# Past this a module holds two jobs (shared/STYLE.md: "a module past ~300 lines is two modules").
LONGEST_MODULE_LINES = 300


def _modules() -> dict[str, Path]:
    """Dotted name -> file, for every module of the package."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _imports(path: Path, name: str, known: set[str]) -> set[str]:
    """The package's modules that ``path`` imports anywhere in it, under TYPE_CHECKING too."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    imported = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(
                    [*package.split(".")[: len(package.split(".")) - node.level + 1], base]
                ).strip(".")
            imported |= {base} | {f"{base}.{alias.name}" for alias in node.names}
    return {module for module in imported if module in known and module != name}


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle in ``graph``, as the modules along it, or [] when there is none."""
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(module: str) -> list[str]:
        state[module] = "open"
        path.append(module)
        for imported in sorted(graph[module]):
            if state.get(imported) == "open":
                return [*path[path.index(imported) :], imported]
            if imported not in state and (found := visit(imported)):
                return found
        state[module] = "done"
        path.pop()
        return []

    for module in sorted(graph):
        if module not in state and (found := visit(module)):
            return found
    return []


def test_no_module_imports_itself_through_others():
    modules = _modules()
    graph = {name: _imports(path, name, set(modules)) for name, path in modules.items()}
    # A package's __init__ that shows its modules' interface is not a stage of its own.
    for name in graph:
        graph[name] -= {other for other in graph if name.startswith(f"{other}.")}
    assert _cycle(graph) == []


def test_the_cycle_check_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) == []


def test_no_module_is_longer_than_a_sitting():
    lengths = {name: len(path.read_text(encoding="utf-8").splitlines()) for name, path in _modules().items()}
    assert {name: lines for name, lines in lengths.items() if lines > LONGEST_MODULE_LINES} == {}


def _module_map() -> str:
    text = README.read_text(encoding="utf-8")
    return text[text.index("### Module map") :].split("\n## ", 1)[0]


def test_the_readme_module_map_names_every_module_and_only_those():
    """A package's modules are named in its row without the folder, so their names must differ."""
    files = [path.name for path in PACKAGE.rglob("*.py") if path.name != "__init__.py"]
    packages = {f"{path.name}/" for path in PACKAGE.iterdir() if (path / "__init__.py").exists()}
    assert len(set(files)) == len(files)
    named = set(re.findall(r"`([\w]+(?:\.py|/))`", _module_map()))
    assert named == set(files) | packages


def _readme_examples() -> list[list[str]]:
    """Every ``voiceguide ...`` command line in the README's code blocks, as arguments."""
    blocks = re.findall(r"^```\w*\n(.*?)^```", README.read_text(encoding="utf-8"), re.DOTALL | re.MULTILINE)
    lines = [line.strip() for block in blocks for line in block.splitlines()]
    return [shlex.split(line, comments=True)[1:] for line in lines if line.startswith("voiceguide ")]


def test_the_readme_has_examples_of_every_command():
    shown = {args[0] for args in _readme_examples()}
    assert shown >= set(cli.commands)


@pytest.mark.parametrize("args", _readme_examples(), ids=" ".join)
def test_every_command_line_in_the_readme_is_one_the_command_accepts(args: list[str]):
    """Options and arguments are parsed as the README writes them; --help stops before anything
    runs (it is handled first, once every option is known to exist)."""
    result = CliRunner().invoke(cli, [*args, "--help"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Usage: ")
