"""Which way the imports run: organisation ← cases ← bosam, devdata on top of all.

A small AST walk over every .py file (imports inside functions count too, that is
how the old circular imports were hidden). No Django needed.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The apps whose code must never import devdata (the data generator sits on top of them).
APPS = ("organisation", "cases", "bosam", "imports", "avhysning")

# No exceptions: the synthetic-data generator, which builds BOSAM meetings, lives in devdata now.
CASES_EXCEPTIONS: set[Path] = set()


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def python_files(folder: str):
    return sorted(p for p in (ROOT / folder).rglob("*.py") if ".venv" not in p.parts)


def importers_of(target: str, folders, exceptions=frozenset()) -> list[str]:
    found = []
    for folder in folders:
        for path in python_files(folder):
            relative = path.relative_to(ROOT)
            if relative in exceptions:
                continue
            if any(name == target or name.startswith(target + ".") for name in imported_modules(path)):
                found.append(str(relative))
    return found


def test_cases_does_not_import_bosam():
    assert importers_of("bosam", ["cases"], CASES_EXCEPTIONS) == []


def test_no_app_imports_devdata():
    assert importers_of("devdata", APPS) == []


def test_the_walk_sees_imports_inside_functions(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from bosam.selectors import x\n    import devdata.gen\n")
    assert imported_modules(module) == {"bosam.selectors", "devdata.gen"}


def test_nothing_below_imports_imports_it():
    """imports/ sits beside bosam on top of cases: cases, bosam and organisation never need it."""
    assert importers_of("imports", ["organisation", "cases", "bosam"]) == []


def test_cases_bosam_and_organisation_do_not_import_followup():
    # The follow-up (issue 13) reads cases and bosam; nothing below it may reach up.
    assert importers_of("followup", ["cases", "bosam", "organisation"]) == []
