"""The import graph of `search/` and `webui/`, read from the source with `ast`:
no cycles, no dynamic imports, and every layer imports only layers below it.

    ingest, analysis  →  index  →  reindex / query helpers  →  query  →  service  →  webui  →  cli

(`cli` is the program's entry point: it lists every subcommand, `serve` included.)
The web layer imports the library only through `search/__init__.py`."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("search", "webui")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for package in PACKAGES for p in sorted((ROOT / package).rglob("*.py"))}


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """Project modules `name` imports, at any depth of the file (function-level
    imports count: they are cycles all the same, only deferred)."""
    found: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            # `from search import evaluation` imports the submodule search.evaluation.
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def graph() -> dict[str, set[str]]:
    mods = modules()
    known = set(mods)
    return {name: imports_of(name, path, known) for name, path in mods.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


# Lower number, lower layer; a module may import its own layer or any below it.
# Matched by longest prefix.
LAYERS = {
    # ingest/analysis: files → Article records, text → tokens; plus the small
    # shared pieces everything may use.
    "search.ingest": 0, "search.analysis": 0, "search.model": 0, "search.stored": 0, "search.korean": 0,
    "search.paths": 0, "search.faults": 0, "search.orphans": 0, "search.data": 0, "search.dedup": 0,
    "search.collector": 0,
    # the index: schema, layout, segment writing
    "search.index": 1, "search.layout": 1, "search.bulkwriter": 1, "search.columnar": 1, "search.mapped": 1,
    # same-event signatures and clusters, and a generation's table of them (written by
    # the reindex, read by the query side)
    "search.grouping": 1,
    # reindex (writes the index) and the reading helpers under the query wing
    # (Whoosh query types, scoring, deadlines, snippets, corrections): siblings,
    # never importing each other
    "search.indexer": 2, "search.reindex": 2,
    "search.limits": 2, "search.conjunction": 2, "search.ranking": 2, "search.headline": 2,
    "search.highlight": 2, "search.related": 2, "search.suggest": 2, "search.autocomplete": 2, "search.collapse": 2,
    # the query wing: text → tree → compiled query → matches → a result
    "search.query": 3,
    # the service and what is built on it inside the library
    "search.service": 4, "search.evaluation": 4, "search.render": 4,
    # the public API (search/__init__.py), the web layer, the command line on top
    "search": 5, "webui": 6, "search.cli": 7, "search.__main__": 7,
}
REINDEX_SIDE = ("search.indexer", "search.reindex")
QUERY_SIDE = ("search.query", "search.limits", "search.conjunction", "search.ranking", "search.headline",
              "search.highlight", "search.related", "search.suggest", "search.autocomplete", "search.collapse")


def _in(name: str, prefixes) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def layer_of(name: str) -> int:
    best = max((p for p in LAYERS if name == p or name.startswith(p + ".")), key=len)
    return LAYERS[best]


def test_every_module_has_a_layer():
    unplaced = [m for m in modules() if not any(m == p or m.startswith(p + ".") for p in LAYERS)]
    assert unplaced == []


def test_no_import_cycles():
    found = cycles(graph())
    assert found == []


def test_layers_import_downward_only():
    upward = [
        f"{name} (layer {layer_of(name)}) imports {target} (layer {layer_of(target)})"
        for name, targets in graph().items() for target in sorted(targets)
        if layer_of(target) > layer_of(name)
    ]
    assert upward == []


def test_reindex_and_query_never_import_each_other():
    g = graph()
    crossing = [
        (name, target) for name, targets in g.items() for target in targets
        if (_in(name, REINDEX_SIDE) and _in(target, QUERY_SIDE)) or (_in(name, QUERY_SIDE) and _in(target, REINDEX_SIDE))
    ]
    assert crossing == []


def test_web_layer_uses_only_the_public_api():
    reaching_in = [
        (name, target) for name, targets in graph().items() if name.split(".")[0] == "webui"
        for target in targets if target.split(".")[0] == "search" and target != "search"
    ]
    assert reaching_in == []


def test_library_modules_never_import_the_package_root():
    # search/__init__.py imports them; importing it back would be a cycle in waiting.
    assert [name for name, targets in graph().items() if "search" in targets and name.startswith("search.")] == []


def test_the_package_root_binds_no_name_of_a_submodule():
    # `from search.x import x` in search/__init__.py would hide the submodule
    # search.x behind the function: `import search.x.y` then fails.
    import search

    shadowed = [name for name in modules() if name.count(".") == 1 and name.startswith("search.")
                and not isinstance(getattr(search, name.split(".")[1], None), (type(search), type(None)))]
    assert shadowed == []


def test_no_dynamic_imports():
    dynamic = []
    for name, path in modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                func = node.func
                called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if called in ("import_module", "__import__"):
                    dynamic.append(f"{name}:{node.lineno}")
            elif isinstance(node, ast.Import) and any(a.name == "importlib" for a in node.names):
                dynamic.append(f"{name}:{node.lineno}")
    assert dynamic == []


def test_the_checks_see_a_cycle_and_an_upward_import():
    # The helpers above on a made-up graph: a broken rule must be caught.
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
    assert layer_of("search.ingest.html.body") < layer_of("search.index") < layer_of("search.service")
    assert layer_of("webui.api") < layer_of("search.cli")


if __name__ == "__main__":
    for c in cycles(graph()):
        print("cycle:", c)
