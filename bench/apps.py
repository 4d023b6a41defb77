from __future__ import annotations

from django.apps import AppConfig


class BenchConfig(AppConfig):
    """The benchmark commands (``make bench``). Not shipped: installed only
    when ``WIIFM_BENCH=1`` (the Makefile's bench targets set it)."""

    name = "bench"
    verbose_name = "Benchmarks"
