"""The import contracts in pyproject.toml ([tool.importlinter]) hold: packages import
downwards only and no modules import each other in a cycle. CI runs only the tests, so
the linter runs from here."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    """lint-imports on the package under `root`/src, with `root`'s contracts."""
    env = {**os.environ, "PYTHONPATH": str(root / "src")}
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(root / "pyproject.toml"), "--no-cache"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_import_contracts_are_kept() -> None:
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken." in result.stdout


def test_an_upward_import_breaks_the_contracts(tmp_path: Path) -> None:
    """The check is live: a copy of the package whose accounts import goals again (the
    cycle that used to exist) fails both contracts."""
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    shutil.copytree(
        ROOT / "src" / "advisercrm",
        tmp_path / "src" / "advisercrm",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    service = tmp_path / "src" / "advisercrm" / "accounts" / "service.py"
    service.write_text(
        service.read_text() + "\nfrom advisercrm.goals.repository import GoalRepository  # noqa\n"
    )
    result = _lint(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Contracts: 0 kept, 2 broken." in result.stdout
    assert "advisercrm.accounts.service -> advisercrm.goals.repository" in result.stdout
