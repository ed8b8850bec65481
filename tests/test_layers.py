"""The layers contract (pyproject.toml, import-linter) holds, and catches a wrong-way import."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APPS = ["audit", "accounts", "programs", "participants", "notes", "billing", "outcomes", "reports", "peersupport"]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(tree: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=tree, env={"PYTHONPATH": str(tree)}, capture_output=True, text=True
    )


def test_the_apps_import_only_to_their_left():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout


def test_an_import_to_the_right_breaks_the_contract(tmp_path):
    for app in APPS:
        shutil.copytree(ROOT / app, tmp_path / app, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    (tmp_path / "participants" / "wrong_way.py").write_text("from notes.models import SessionNote\n")
    result = _lint(tmp_path)
    assert result.returncode != 0
    assert "participants is not allowed to import notes" in result.stdout
    assert "participants.wrong_way -> notes.models" in result.stdout


def test_make_test_collects_every_apps_tests():
    """pytest's testpaths names the folders `make test` runs; an app missing there would have
    its tests silently skipped."""
    import tomllib

    testpaths = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]["testpaths"]
    assert set(APPS) <= set(testpaths)
