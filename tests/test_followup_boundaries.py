"""The follow-up reads cases, never the other way round: no module under cases/ imports followup."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_cases_never_imports_followup():
    offenders = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in sorted((ROOT / "cases").rglob("*.py"))
        for name in imported_modules(path)
        if name == "followup" or name.startswith("followup.")
    ]
    assert (ROOT / "cases").is_dir()
    assert not offenders, "\n".join(offenders)


def test_the_check_can_see_an_import(tmp_path):
    sample = tmp_path / "x.py"
    sample.write_text("from followup import services\nimport followup.statistics\n", encoding="utf-8")
    assert {"followup", "followup.statistics"} <= imported_modules(sample)
