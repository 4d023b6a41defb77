"""Imported once by the render fork server (planner.render_process, planner.render_child): one tiny
render, so that every child starts with WeasyPrint's fonts and stylesheets
loaded (fontconfig's set-up is not paid per PDF)."""

from __future__ import annotations

from pathlib import Path

from planner.render_child import render_pdf

render_pdf("<p>warm</p>", Path(__file__).resolve().parent)
