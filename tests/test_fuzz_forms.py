"""Fuzzed forms (issue 24): every form's POST, and the three files a user
uploads, with what a hostile or clumsy user sends.

The forms are those of the access matrix (``tests/test_access_matrix.py``):
each pattern whose POST takes fields, posted by the person it is for (an
owner, or anyone holding a pulse link) with the form as its page draws it,
then each field kept, left out, sent twice or replaced by text of any Unicode
(lone surrogates and NUL included, sent as the raw bytes a browser would),
bytes that are no UTF-8 at all, huge, negative and non-numbers, impossible
dates, template and format syntax, and texts far past any field's limit.
Each matrix cell (``planner.grid``) is fuzzed on its own. The files: the
playbook file (the exported file with values swapped for any JSON, or any
bytes), the ambassador roster and the CRM's usage export (cells of any text,
any encoding), whose preview's choices are fuzzed as well.

Each example must answer without a server error; a POST that is not a
success (a success redirects, as the matrix says) saves nothing, checked with
the matrix's database fingerprint; a redirect stays on the site. Each example
runs in a savepoint rolled back after it, the cache emptied (limits counted
there start again).

Hypothesis is derandomized, so a run is repeatable in CI;
``WIIFM_FUZZ_EXAMPLES`` (default 20) sets the examples of each form, and
``WIIFM_FUZZ_RANDOM=1`` draws new ones each run, for a longer hunt by hand.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any
from urllib.parse import quote_plus, urlsplit

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.grid import GIVEGET_CELLS, ROLE_CELLS
from tests.access_world import MatrixWorld
from tests.conftest import PASSWORD
from tests.playbooks.test_no_silent_overwrite import form_on
from tests.test_access_matrix import (
    PATTERNS,
    TABLE,
    Pattern,
    Rule,
    address,
    body_for,
    fingerprint_with_mail,
    kwargs_for,
    matrix_world,
    values,
)

__all__ = ["matrix_world"]  # the module's world, shared with the access matrix

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("WIIFM_FUZZ_EXAMPLES", "20"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not os.environ.get("WIIFM_FUZZ_RANDOM"),
    database=None,
    suppress_health_check=list(HealthCheck),
)

# Values -------------------------------------------------------------------------

KEEP, DROP = "<keep>", "<drop>"
LONG = (
    "x" * 100_000,
    "Ø" * 5_001,
    "😀" * 2_001,
    "word " * 20_000,
    "1" * 4_300,  # past Python's int() digits limit
)
ODD = (
    "",
    " ",
    "\x00",
    "Sales\x00",
    "\ud800",
    "a\udfffb",
    "\u202eevil",
    "\ufeffSales",
    "a\r\nb",
    "-1",
    "0",
    "-0",
    "6",
    "1e9",
    "1e309",
    "NaN",
    "inf",
    "-inf",
    "2,401",
    "3,5",
    "3.5",
    "0x1F",
    "１２",
    "²",
    "٣",
    "99999999999999999999999999999999",
    "-99999999999999999999999999999999",
    "2027-02-30",
    "2027-13-01",
    "0001-01-01",
    "1899-12-31",
    "3000-01-01",
    "9999-12-31",
    "31/12/2027",
    "on",
    "true",
    "None",
    "<script>alert(1)</script>",
    "{{ 7|add:7 }}{% csrf_token %}",
    "%(name)s %s {0}",
    "' OR 1=1 --",
    "../../etc/passwd",
    "https://evil.example/",
    "//evil.example/",
)
TEXT = st.text(
    st.one_of(
        st.characters(),
        st.characters(categories=["Cs"]),  # lone surrogates
        st.sampled_from("\x00\r\n\t\u202e\ufeff<>&\"'%{}"),
    ),
    max_size=40,
)
NUMBERS = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)
VALUE = st.one_of(
    st.just(KEEP),
    st.just(DROP),
    st.sampled_from(ODD),
    st.sampled_from(LONG),
    TEXT,
    NUMBERS,
    st.binary(max_size=12),  # bytes that need not be UTF-8
    st.lists(st.one_of(st.sampled_from(ODD), TEXT), min_size=2, max_size=3),  # sent twice
)


def _quote(value: str | bytes) -> str:
    raw = value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")
    return quote_plus(raw)


def encode(base: Mapping[str, str], changes: Mapping[str, Any]) -> bytes:
    """The body a browser would send: each field as drawn, or changed."""
    pairs = []
    for name, drawn in base.items():
        value = changes.get(name, KEEP)
        if value == DROP:
            continue
        sent = value if isinstance(value, list) else [drawn if value == KEEP else value]
        pairs += [f"{_quote(name)}={_quote(item)}" for item in sent]
    return "&".join(pairs).encode("ascii")


# What each example must hold ---------------------------------------------------------


def success_status(rule: Rule, who: str) -> int:
    status = rule.statuses[who]
    assert isinstance(status, int), (who, status)
    return status


def answer(client: Client, url: str, *, success: int, **post: Any) -> tuple[Any, bool]:
    """POST; no server error, a redirect stays on the site, and anything
    but a success saved nothing. The response, and whether it saved."""
    before = fingerprint_with_mail()
    response = client.post(url, **post)
    saved = fingerprint_with_mail() != before
    assert response.status_code < 500, (url, response.status_code)
    if response.status_code in (301, 302, 303):
        location = response["Location"]
        parts = urlsplit(location.replace("\\", "/"))  # a browser reads \\ as /
        assert not (parts.scheme or parts.netloc), f"{url} sent the browser off-site: {location}"
    if response.status_code != success:
        assert not saved, f"{url} answered {response.status_code} and saved something"
    return response, saved


def example(run: Callable[[], object]) -> None:
    """One example in a savepoint rolled back after it, the cache empty."""
    cache.clear()
    with transaction.atomic():
        run()
        transaction.set_rollback(True)


# Every form of the access matrix --------------------------------------------------------


def _poster(rule: Rule) -> str | None:
    """Who the form is for: the owner, else anyone not logged in (the pulse)."""
    for who in ("owner", "anonymous"):
        if who in rule.saves or rule.statuses.get(who) in (200, 302):
            return who
    return None


FORMS = [
    pytest.param(pattern, who, id=pattern.key)
    for pattern in PATTERNS
    if pattern.key in TABLE
    and TABLE[pattern.key].body
    and not TABLE[pattern.key].shadowed_by
    and (who := _poster(TABLE[pattern.key].post))
]


def form_of(world: MatrixWorld, pattern: Pattern) -> tuple[str, dict[str, str]]:
    vals = values(world, world.a)
    url = address(pattern, kwargs_for(pattern, vals))
    return url, body_for(pattern, world, world.a, url, vals)


@pytest.mark.parametrize(("pattern", "who"), FORMS)
def test_a_form(matrix_world: MatrixWorld, pattern: Pattern, who: str) -> None:
    url, base = form_of(matrix_world, pattern)
    rule = TABLE[pattern.key].post
    success = success_status(rule, who)

    @FUZZ
    @given(st.fixed_dictionaries({}, optional=dict.fromkeys(base, VALUE)))
    def fuzz(changes: dict[str, Any]) -> None:
        example(
            lambda: answer(
                matrix_world.client(who),
                url,
                success=success,
                data=encode(base, changes),
                content_type="application/x-www-form-urlencoded",
            )
        )

    fuzz()


def test_the_forms_fuzzed() -> None:
    """Every form of the matrix is here but those without fields."""
    fuzzed = {param.values[0].key for param in FORMS}
    with_fields = {key for key, entry in TABLE.items() if entry.body and not entry.shadowed_by}
    assert fuzzed == with_fields
    assert len(fuzzed) >= 35


def test_the_login_form(matrix_world: MatrixWorld) -> None:
    """Anyone's: a username or password of anything (the lock-out's
    failures are counted in tables the fingerprint leaves out)."""
    base = {"username": "olivia", "password": PASSWORD}

    @FUZZ
    @given(st.fixed_dictionaries({}, optional=dict.fromkeys(base, VALUE)))
    def fuzz(changes: dict[str, Any]) -> None:
        example(
            lambda: answer(
                matrix_world.client("anonymous"),
                "/accounts/login/",
                success=302,
                data=encode(base, changes),
                content_type="application/x-www-form-urlencoded",
            )
        )

    fuzz()


# Each cell of the matrix --------------------------------------------------------------


def cell_form(world: MatrixWorld, url: str, prefix: str) -> dict[str, str]:
    response = world.client("owner").get(url)
    assert response.status_code == 200, url
    html = response.content.decode()
    name = re.search(rf'name="({re.escape(prefix)}[^"]+)"', html)
    assert name, f"no field {prefix}… on {url}"
    return form_on(html, name.group(1))


@pytest.mark.parametrize(
    ("kind", "name"),
    [("role", name) for name in ROLE_CELLS] + [("giveget", name) for name in GIVEGET_CELLS],
)
def test_a_cell(matrix_world: MatrixWorld, kind: str, name: str) -> None:
    side = matrix_world.a
    row = f"/playbooks/{side.playbook.pk}/matrix/{side.role.pk}"
    if kind == "role":
        url, prefix = f"{row}/cells/{name}/", f"c{side.role.pk}-"
    else:
        url, prefix = f"{row}/givegets/{side.giveget.pk}/cells/{name}/", f"g{side.giveget.pk}-"
    base = cell_form(matrix_world, url, prefix)

    @FUZZ
    @given(st.fixed_dictionaries({}, optional=dict.fromkeys(base, VALUE)))
    def fuzz(changes: dict[str, Any]) -> None:
        example(
            lambda: answer(
                matrix_world.client("owner"),
                url,
                success=302,
                data=encode(base, changes),
                content_type="application/x-www-form-urlencoded",
            )
        )

    fuzz()


# The files ------------------------------------------------------------------------------

JSON_LEAF = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(ODD),
    TEXT,
)
JSON_VALUE = st.recursive(
    JSON_LEAF,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=6,
)


def paths(data: Any, at: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every place in a JSON document a value sits."""
    yield at
    if isinstance(data, dict):
        for key, value in data.items():
            yield from paths(value, (*at, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from paths(value, (*at, i))


def replaced(data: Any, at: tuple[Any, ...], value: Any) -> Any:
    if not at:
        return value
    head, rest = at[0], at[1:]
    if isinstance(data, dict):
        return {**data, head: replaced(data[head], rest, value)}
    return [replaced(item, rest, value) if i == head else item for i, item in enumerate(data)]


def upload(name: str, content: bytes) -> dict[str, Any]:
    return {"file": SimpleUploadedFile(name, content)}


@st.composite
def playbook_files(draw: st.DrawFn, exported: Any) -> bytes:
    """The exported file with a few values swapped for any JSON (or a key
    dropped), in any of the ways it could be written; or any bytes."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=300))
    data, places = exported, list(paths(exported))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.sampled_from(places))
        data = replaced(data, at, draw(JSON_VALUE))
        places = list(paths(data))
    text = json.dumps(data, ensure_ascii=draw(st.booleans()))
    return text.encode("utf-8", "surrogatepass")


def test_the_playbook_file(matrix_world: MatrixWorld) -> None:
    owner = matrix_world.client("owner")
    exported = json.loads(owner.get(f"/playbooks/{matrix_world.a.playbook.pk}/export.json").content)

    @FUZZ
    @given(playbook_files(exported))
    def fuzz(content: bytes) -> None:
        example(
            lambda: answer(
                matrix_world.client("owner"),
                "/playbooks/import/",
                success=302,
                data=upload("playbook.json", content),
            )
        )

    fuzz()


CELL = st.one_of(st.sampled_from(ODD), TEXT, NUMBERS)
ENCODINGS = ("utf-8", "utf-8", "utf-8-sig", "cp1252", "utf-16")


def csv_bytes(draw: st.DrawFn, rows: list[list[str]]) -> bytes:
    """The rows with a few cells swapped, joined by ; or , in one of the
    encodings a spreadsheet saves in (what it cannot hold, replaced)."""
    rows = [list(row) for row in rows]
    for _ in range(draw(st.sampled_from((0, 0, 1, 2, 4)))):
        row = draw(st.integers(0, len(rows) - 1))
        column = draw(st.integers(0, len(rows[row]) - 1))
        rows[row][column] = draw(CELL)
    if draw(st.integers(0, 3)) == 0:
        rows = rows[: draw(st.integers(0, len(rows)))]
    separator = draw(st.sampled_from(";,"))
    text = "\r\n".join(separator.join(row) for row in rows)
    encoding = draw(st.sampled_from(ENCODINGS))
    return text.encode(encoding, "surrogatepass" if encoding.startswith("utf-8") else "replace")


@st.composite
def roster_files(draw: st.DrawFn, exported: str) -> bytes:
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=300))
    separator = ";" if exported.count(";") > exported.count(",") else ","
    rows = [line.split(separator) for line in exported.splitlines() if line]
    return csv_bytes(draw, rows)


def test_the_roster_file(matrix_world: MatrixWorld) -> None:
    side = matrix_world.a
    owner = matrix_world.client("owner")
    exported = owner.get(f"/playbooks/{side.playbook.pk}/ambassadors/roster.csv")
    text = exported.content.decode("utf-8-sig")
    assert "Jonas Berg" in text  # the file is the roster

    @FUZZ
    @given(roster_files(text))
    def fuzz(content: bytes) -> None:
        example(
            lambda: answer(
                matrix_world.client("owner"),
                f"/playbooks/{side.playbook.pk}/ambassadors/import/",
                success=302,
                data=upload("roster.csv", content),
            )
        )

    fuzz()


@st.composite
def usage_files(draw: st.DrawFn) -> bytes:
    """Counts (week;role;active_users) or a login history (user;date;role)."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=300))
    if draw(st.booleans()):
        rows = [["week", "role", "active_users"], ["1", "Sales", "30"], ["2", "Service", "12"]]
    else:
        rows = [
            ["user", "date", "profile"],
            ["u1@example.com", "2027-03-02", "Sales"],
            ["u2@example.com", "03/09/2027 10:15", "Sales"],
            ["u3@example.com", "2027-03-03", "Service"],
        ]
    return csv_bytes(draw, rows)


def next_form(html: str) -> tuple[str, dict[str, str]] | None:
    """The form the import's answer asks to post next (columns or the
    preview's choices), with its action."""
    for holding in ("counted", "user_column"):
        if f'name="{holding}"' in html:
            fields = form_on(html, holding)
            action = re.search(
                rf'<form[^>]*action="([^"]+)"[^>]*>(?:(?!</form>).)*name="{holding}"', html, re.S
            )
            assert action, f"no action for the form holding {holding}"
            return action.group(1).replace("&amp;", "&"), fields
    return None


def test_the_usage_export(matrix_world: MatrixWorld) -> None:
    """The upload, then the step it asks for (the columns, the file chosen
    again; the preview's choices), its fields fuzzed in turn."""
    side = matrix_world.a
    url = f"/playbooks/{side.playbook.pk}/results/import/"

    @FUZZ
    @given(usage_files(), st.data())
    def fuzz(content: bytes, data: st.DataObject) -> None:
        def run() -> None:
            client = matrix_world.client("owner")
            # Reading the file saves nothing: the preview carries the counts.
            response, _ = answer(client, url, success=0, data=upload("usage.csv", content))
            for _step in range(2):
                step = next_form(response.content.decode()) if response.status_code == 200 else None
                if step is None:
                    return
                action, base = step
                changes = data.draw(st.fixed_dictionaries({}, optional=dict.fromkeys(base, VALUE)))
                if "file" in base:
                    body, content_type = multipart(base, changes, content)
                    success = 0
                else:
                    body = encode(base, changes)
                    content_type, success = "application/x-www-form-urlencoded", 302
                response, _ = answer(
                    client, action, success=success, data=body, content_type=content_type
                )

        example(run)

    fuzz()


BOUNDARY = "fuzzfuzzfuzz"


def multipart(
    base: Mapping[str, str], changes: Mapping[str, Any], content: bytes
) -> tuple[bytes, str]:
    """The columns step as a browser posts it: the file chosen again, and
    the fields (raw bytes, as ``encode`` sends them)."""
    parts = []
    for name, drawn in base.items():
        value = changes.get(name, KEEP)
        if name == "file" or value == DROP:
            continue
        for item in value if isinstance(value, list) else [drawn if value == KEEP else value]:
            raw = item if isinstance(item, bytes) else item.encode("utf-8", "surrogatepass")
            parts.append(
                f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
                + raw
                + b"\r\n"
            )
    parts.append(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="usage.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode(), (
        f"multipart/form-data; boundary={BOUNDARY}"
    )


def test_a_body_that_is_no_form_at_all(matrix_world: MatrixWorld) -> None:
    """JSON, a form's syntax broken, a multipart without its boundary."""
    url, _ = form_of(matrix_world, next(p for p in PATTERNS if p.key.endswith("/edit/")))
    for body, content_type in (
        (b'{"name": "x"}', "application/json"),
        (b"name=%ZZ&&=&%00=%", "application/x-www-form-urlencoded"),
        (b"--x\r\nContent-Disposition: form-data", "multipart/form-data"),
        (b"--x\r\nContent-Disposition: form-data", "multipart/form-data; boundary=x"),
    ):
        example(
            lambda body=body, content_type=content_type: answer(
                matrix_world.client("owner"), url, success=302, data=body, content_type=content_type
            )
        )
