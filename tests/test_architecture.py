"""The pages live in `www/` alone: no domain app imports a page (a module of `www`, or any `views`
module), not even inside a function, and no views or urls module exists outside `www/` but the project's
root urls. Read from the import graph (grimp, import-linter's reader) and the files, so the failure names
the module that imports which."""

import ast
import re
from pathlib import Path

import grimp
from django.conf import settings

PAGES = "www"
WIRING = "spaser"
DOMAIN = ["planning", "public", "reporting", "indicators", "contracts", "actions", "core"]
ROOT = Path(settings.BASE_DIR)
DOTTED = re.compile(r"[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)+")


def is_page(module: str) -> bool:
    parts = module.split(".")
    return parts[0] == PAGES or "views" in parts or parts[-1] == "urls"


def test_no_domain_app_imports_a_page():
    graph = grimp.build_graph(WIRING, PAGES, *DOMAIN, cache_dir=None)
    climbing = []
    domain = set(DOMAIN).union(*(graph.find_descendants(package) for package in DOMAIN))
    for importer in sorted(domain):
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            if is_page(imported):
                lines = graph.get_import_details(importer=importer, imported=imported)
                where = "; ".join(f"line {d['line_number']}: {d['line_contents']}" for d in lines)
                climbing.append(f"{importer} imports {imported} ({where})")
    assert not climbing, "A domain app imports a page:\n" + "\n".join(climbing)


def test_the_graph_sees_the_pages():
    """The test above would pass on an empty graph: the pages and their imports are in it."""
    graph = grimp.build_graph(WIRING, PAGES, *DOMAIN, cache_dir=None)
    assert "www.entry.views" in graph.modules and "www.urls" in graph.modules
    assert graph.direct_import_exists(importer="www.urls", imported="www.entry.views")
    assert graph.direct_import_exists(importer="www.entry.views", imported="indicators.models")


def test_no_domain_app_names_a_page_in_a_string():
    """What the graph cannot see: a module imported by its dotted name (`import_module("www.x")`,
    `include("www.urls")`, a string in a setting-like constant)."""
    named = []
    for package in DOMAIN:
        for path in sorted((ROOT / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                text = node.value if isinstance(node, ast.Constant) else None
                if isinstance(text, str) and DOTTED.fullmatch(text) and is_page(text):
                    named.append(f"{path.relative_to(ROOT).as_posix()} line {node.lineno} names {text}")
    assert not named, "A domain app names a page:\n" + "\n".join(named)


def test_views_and_urls_modules_live_in_www_only():
    misplaced = []
    for package in [WIRING, *DOMAIN]:
        for path in sorted((ROOT / package).rglob("*")):
            relative = path.relative_to(ROOT).as_posix()
            if "__pycache__" in path.parts or relative == "spaser/urls.py":
                continue
            if path.name in ("views.py", "urls.py") or (path.is_dir() and path.name == "views"):
                misplaced.append(relative)
    assert not misplaced, "Views or urls outside www/: " + ", ".join(misplaced)
    urls_in_www = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / PAGES).rglob("urls.py"))
    assert urls_in_www == ["www/urls.py"], "www/urls.py is the site map, the only urls module: " + ", ".join(
        urls_in_www
    )
