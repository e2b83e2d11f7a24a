"""The layers of docs/architecture.md, read from the code itself.

Every import in the project's own modules (not tests, not migrations) is read with ``ast``:

- **Upward imports are refused.** An app may import its own modules and the apps below it, never
  one above. The order, lowest first: the platform's helpers (``lms.queue``, ``lms.storage`` …),
  ``lms.accounts``, ``courses``, ``assessments``, ``certificates``; ``lms.home``, ``glossary``,
  ``curricula``, ``lms.delivery`` and ``lms.reports`` sit on top. The composition roots (URLs,
  settings, WSGI, Celery) may import anything.
- **No import cycle between the modules of an app.** The one exception is documented: a Wagtail
  page's own hooks (``serve``, ``get_context``, ``route``) in ``models.py`` read the app's
  selectors, which read the models, so those imports stay inside the hook functions. Imports
  inside ``AppConfig.ready`` run once everything is loaded and are not counted either.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("lms", "courses", "assessments", "certificates", "curricula", "glossary")

# Lowest first. A module may import from its own layer's app and from any lower layer.
LAYERS: list[set[str]] = [
    {"lms.helpers"},  # lms/*.py helpers: queue, outbox, storage, i18n, http, …
    {"lms.accounts"},
    {"courses"},
    {"assessments"},
    {"certificates"},
    {"lms.home", "glossary"},
    {"curricula", "lms.delivery", "lms.reports", "lms.offline"},
]
# Apps of one layer that may use each other, and which way (club delivery reports with the
# programme reports' periods, tables and exports; never the reverse).
SIDEWAYS = {("lms.delivery", "lms.reports"), ("glossary", "lms.home"), ("curricula", "glossary")}
# Composition roots: they wire everything together and may import anything (``lms`` itself
# loads the Celery app, as Celery's Django set-up asks).
ROOTS = {"lms", "lms.urls", "lms.views", "lms.wsgi", "lms.celery", "lms.health", "lms.error_pages"}
ROOT_PREFIXES = ("lms.settings",)


def _app(module: str) -> str | None:
    """The app a module belongs to (the unit the layers are about), or None for a root."""
    if module in ROOTS or module.startswith(ROOT_PREFIXES):
        return None
    parts = module.split(".")
    if parts[0] != "lms":
        return parts[0]
    if len(parts) > 1 and (ROOT / "lms" / parts[1]).is_dir():
        return f"lms.{parts[1]}"
    return "lms.helpers"


def _layer(app: str) -> int:
    for number, apps in enumerate(LAYERS):
        if app in apps:
            return number
    raise AssertionError(f"{app} is not in the layer list of tests/test_layers.py: place it there")


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            relative = path.relative_to(ROOT)
            if "migrations" in relative.parts or "management" in relative.parts:
                continue
            parts = list(relative.with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _resolve(module: str, path: Path, node: ast.ImportFrom) -> list[str]:
    """The project modules an import statement names (``from . import selectors`` names the
    package ``courses.selectors``; ``from .models import X`` names ``courses.models``)."""
    if node.level:
        base = module.split(".")
        if path.name != "__init__.py":
            base = base[:-1]
        base = base[: len(base) - (node.level - 1)]
        target = ".".join(base + ([node.module] if node.module else []))
    else:
        target = node.module or ""
    names = []
    for alias in node.names:
        candidate = f"{target}.{alias.name}"
        names.append(candidate if candidate in MODULES else target)
    return [name for name in names if name in MODULES]


def _imports(module: str, path: Path) -> list[tuple[str, int, bool]]:
    """(imported project module, line, counted for cycles) for every import in a module."""
    tree = ast.parse(path.read_text(), str(path))
    exempt_lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            exempt_lines.update(range(node.lineno, node.end_lineno + 1))
        is_hook = isinstance(node, ast.FunctionDef) and (
            (path.name == "models.py") or (path.name == "apps.py" and node.name == "ready")
        )
        if is_hook:
            exempt_lines.update(range(node.lineno, node.end_lineno + 1))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names if alias.name in MODULES]
        elif isinstance(node, ast.ImportFrom):
            targets = _resolve(module, path, node)
        else:
            continue
        for target in targets:
            found.append((target, node.lineno, node.lineno not in exempt_lines))
    return found


GRAPH = {module: _imports(module, path) for module, path in MODULES.items()}


def test_the_layer_test_reads_the_project():
    """Guards the test itself: it sees the apps and their imports (an empty graph passes anything)."""
    assert {"courses.services.progress", "courses.selectors.access", "assessments.services"} <= set(MODULES)
    assert any(target == "courses.models" for target, _l, _c in GRAPH["courses.selectors.access"])
    # A page hook's import inside models.py is seen, and not counted for cycles.
    assert ("courses.selectors", False) in {(t, counted) for t, _l, counted in GRAPH["courses.models"]}
    assert any(target.startswith("lms.accounts") for target, _l, _c in GRAPH["courses.services.enrolment"])


def _upward(graph: dict[str, list[tuple[str, int, bool]]]) -> list[str]:
    found = []
    for module, imports in graph.items():
        app = _app(module)
        if app is None:
            continue
        for target, line, _counted in imports:
            other = _app(target)
            if other is None:
                found.append(f"{module}:{line} imports the composition root {target}")
                continue
            if other == app or (app, other) in SIDEWAYS:
                continue
            if _layer(other) >= _layer(app):
                found.append(f"{module}:{line} ({app}) imports {target} ({other}), which is not below it")
    return found


def test_no_app_imports_an_app_above_it():
    upward = _upward(GRAPH)
    assert not upward, "imports against the layer order of docs/architecture.md:\n" + "\n".join(upward)


def test_the_checks_catch_what_they_are_for():
    """An upward import, a sideways one the wrong way and a cycle are each caught."""
    assert _upward({"courses.services.progress": [("assessments.models", 3, True)]})
    assert _upward({"lms.reports.selectors": [("lms.delivery.models", 3, True)]})
    assert not _upward({"assessments.services": [("courses.models", 3, True)]})
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in edges.get(node, ()):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return components


@pytest.mark.parametrize("app", sorted({_app(m) for m in MODULES} - {None}))
def test_no_import_cycle_inside_an_app(app):
    edges: dict[str, set[str]] = defaultdict(set)
    for module, imports in GRAPH.items():
        if _app(module) != app:
            continue
        for target, _line, counted in imports:
            # A package's __init__ re-exporting its own modules is how a package is read, not a cycle.
            re_export = target.startswith(module + ".")
            if counted and _app(target) == app and target != module and not re_export:
                edges[module].add(target)
    # Importing a package runs its __init__, which imports its modules.
    for module in list(MODULES):
        if _app(module) == app and (MODULES[module].name == "__init__.py"):
            for target, _line, counted in GRAPH[module]:
                if counted and target.startswith(module + "."):
                    edges[module].add(target)
    cycles = _cycles(edges)
    assert not cycles, f"import cycles in {app}:\n" + "\n".join(" <-> ".join(c) for c in cycles)


def test_no_module_is_over_600_lines():
    long = [
        f"{module} ({lines} lines)"
        for module, path in MODULES.items()
        if (lines := len(path.read_text().splitlines())) > 600
    ]
    assert not long, "split these by concern: " + ", ".join(long)


def test_long_functions_say_why():
    """A function over 80 lines has a comment just above it (or a ``# long:`` line inside) saying why."""
    unexplained = []
    for module, path in MODULES.items():
        source = path.read_text().splitlines()
        for node in ast.walk(ast.parse("\n".join(source))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            if node.end_lineno - node.lineno + 1 <= 80:
                continue
            start = min([node.lineno] + [d.lineno for d in node.decorator_list])
            above = source[start - 2].strip() if start >= 2 else ""
            inside = any("# long:" in line for line in source[node.lineno - 1 : node.end_lineno])
            if not (above.startswith("#") or inside):
                unexplained.append(f"{module}.{node.name} ({node.end_lineno - node.lineno + 1} lines)")
    assert not unexplained, "long functions without a reason: " + ", ".join(unexplained)
