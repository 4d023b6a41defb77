"""gunicorn.conf.py: worker recycling, on by default and off for a soak."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import pytest
from gunicorn.config import Config
from gunicorn.workers.base import Worker

ROOT = Path(__file__).resolve().parent.parent


def worker_with(monkeypatch: pytest.MonkeyPatch, max_requests: str | None) -> Worker:
    """A worker as gunicorn makes it from gunicorn.conf.py (before the fork)."""
    if max_requests is None:
        monkeypatch.delenv("GUNICORN_MAX_REQUESTS", raising=False)
    else:
        monkeypatch.setenv("GUNICORN_MAX_REQUESTS", max_requests)
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    cfg = Config()
    for name in ("max_requests", "max_requests_jitter"):
        cfg.set(name, conf[name])
    return Worker(1, 1, [], None, 60, cfg, None)


def test_workers_are_recycled_after_about_5000_requests_by_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    worker = worker_with(monkeypatch, None)
    assert 5000 <= worker.max_requests <= 5500


def test_zero_turns_recycling_off(monkeypatch: pytest.MonkeyPatch) -> None:
    """What `make soak` runs with: a worker's memory is measured over the whole run."""
    assert worker_with(monkeypatch, "0").max_requests == sys.maxsize


def test_another_number_recycles_after_it(monkeypatch: pytest.MonkeyPatch) -> None:
    worker = worker_with(monkeypatch, "1000")
    assert 1000 <= worker.max_requests <= 1100
