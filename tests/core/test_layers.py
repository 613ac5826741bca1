"""The rooms stand on each other in one order: no module imports itself back, the core
knows no domain, and no lower room imports a higher one.

Every import counts, at the top of a module or inside a function. A lower room learns what
a higher one adds through the panel registry (``tracer.core.panels``), signals and the
start-up hooks the lower room defines.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "tracer"

# Lowest first. Rooms in one tier may use each other (a case holds seizures that hold
# firearms), as long as no modules import each other round.
TIERS = (
    ("core",),
    ("geo",),
    ("audit",),
    ("auth",),
    ("api",),
    ("deconfliction",),
    ("cases", "seizures", "firearms"),
    ("people",),
    ("search",),
    ("links",),
    ("tracing", "ballistics"),
    ("networks", "stats"),
    ("reports",),
    ("backup",),
)
LEVEL = {room: level for level, rooms in enumerate(TIERS) for room in rooms}
# Below every room (the extension objects), and above them all (the application factory
# and the list of every model), which may import any room.
BASE = {"tracer.extensions"}
ASSEMBLY = {"tracer", "tracer.models"}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imported(name: str, path: Path, known: set[str]) -> set[str]:
    """The tracer modules ``name`` imports anywhere in its body (``from pkg import module`` names the module)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base)
    return {module for module in found if module in known and module != name}


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imported(name, path, set(known)) for name, path in known.items()}


def room_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in LEVEL) else None


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_every_room_has_a_place():
    rooms = {path.name for path in PACKAGE.iterdir() if (path / "__init__.py").exists()}
    assert rooms - {"translations"} <= set(LEVEL), sorted(rooms - set(LEVEL))


def test_no_module_imports_itself_back(graph):
    assert cycles(graph) == []


def test_the_core_knows_no_room(graph):
    wrong = sorted(f"{name} -> {target}" for name, targets in graph.items() if name.startswith("tracer.core.")
                   for target in targets if not target.startswith("tracer.core") and target not in BASE)
    assert wrong == []


def test_no_lower_room_imports_a_higher_one(graph):
    wrong = []
    for name, targets in graph.items():
        room = room_of(name)
        if name in ASSEMBLY or room is None:
            continue
        for target in targets:
            if target in ASSEMBLY:
                wrong.append(f"{name} -> {target}")
                continue
            other = room_of(target)
            if other is not None and LEVEL[other] > LEVEL[room]:
                wrong.append(f"{name} -> {target}")
    assert sorted(wrong) == []


def test_the_checks_see_what_they_look_for(tmp_path):
    """Imports inside functions and ``from package import module`` are read; a loop is found."""
    known = set(modules())
    source = tmp_path / "example.py"
    source.write_text("def f():\n    from tracer.links import services\n    from .models import Case\n")
    assert imported("tracer.cases.example", source, known) == {"tracer.links.services", "tracer.cases.models"}
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
