"""A pytest plugin for `make mutate` only (loaded by [tool.mutmut] in pyproject.toml).

mutmut stops each mutant's run at its first failing test. pytest-django runs the
tests that use the database first; this runs the plain rule tests first instead,
so most mutants are killed before a test database is even built.
"""

from __future__ import annotations

import pytest


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def uses_db(item: pytest.Item) -> bool:
        fixtures = getattr(item, "fixturenames", ())
        return item.get_closest_marker("django_db") is not None or "db" in fixtures

    items.sort(key=uses_db)  # stable: the database tests keep pytest-django's order
