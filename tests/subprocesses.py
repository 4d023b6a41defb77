"""Python code run in a fresh process of the project, for what one test
process cannot show: import side effects, forks, settings read at start."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_python(code: str, env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``python -c code`` in the project's directory, with ``env`` (this
    process's environment when None), its output captured, within 60 s."""
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=dict(os.environ if env is None else env),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
