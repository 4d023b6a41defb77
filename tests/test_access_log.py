"""Link tokens never reach a log: Django's (settings.LOGGING's filter) and
gunicorn's access log (``GUNICORN_ACCESS_LOG=1``), read as they are written;
the pulse's requests are not in the access log at all."""

from __future__ import annotations

import datetime
import io
import logging
import runpy
from pathlib import Path
from types import SimpleNamespace

import pytest
from gunicorn.config import Config
from gunicorn.glogging import Logger

from wiifm_site.gunicorn_logging import TokenHidingLogger

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "Q" * 43


def access_line(path: str, referer: str = "-") -> str:
    config = Config()
    config.set("accesslog", "-")
    logger = TokenHidingLogger(config)
    stream = io.StringIO()
    for handler in logger.access_log.handlers:
        assert isinstance(handler, logging.StreamHandler)
        handler.setStream(stream)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": path,
        "PATH_INFO": path.split("?")[0],
        "QUERY_STRING": path.partition("?")[2],
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_REFERER": referer,
    }
    response = SimpleNamespace(status="200 OK", sent=120, headers=[])
    request = SimpleNamespace(headers=[("REFERER", referer)])
    logger.access(response, request, environ, datetime.timedelta(milliseconds=12))
    return stream.getvalue()


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        (f"/a/{TOKEN}/", "/a/…/"),
        (f"/a/{TOKEN}/one-pager.pdf", "/a/…/one-pager.pdf"),
        (f"/cal/{TOKEN}.ics", "/cal/….ics"),
        (f"/cal/{TOKEN}/", "/cal/…/"),  # a mistyped feed address: its token too
        (f"/cal/{TOKEN}", "/cal/…"),
    ],
)
def test_the_access_log_hides_link_tokens(path: str, shown: str) -> None:
    line = access_line(path, referer=f"https://wiifm.example{path}")
    assert TOKEN not in line
    assert f'"GET {shown} HTTP/1.1" 200' in line
    assert f"https://wiifm.example{shown}" in line


@pytest.mark.parametrize("path", [f"/p/{TOKEN}/", f"/p/{TOKEN}/thanks/", "/p/unknown/"])
def test_the_pulse_leaves_no_access_log_line(path: str) -> None:
    """The n-th line would give the n-th stored answer its time and address."""
    assert access_line(path) == ""


def test_other_paths_are_logged_as_they_are() -> None:
    line = access_line("/playbooks/7/matrix/?open=3")
    assert '"GET /playbooks/7/matrix/?open=3 HTTP/1.1" 200' in line


def test_the_served_configuration_uses_the_token_hiding_logger(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GUNICORN_ACCESS_LOG", "1")
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert conf["accesslog"] == "-"
    assert conf["logger_class"] == "wiifm_site.gunicorn_logging.TokenHidingLogger"
    assert issubclass(TokenHidingLogger, Logger)
