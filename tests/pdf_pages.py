"""Reading a PDF's pages as a reader sees them: which line ends each page,
how full each page is. For layout tests of any PDF the project renders (the
playbook, the one-pager, the summary).

A page's body is what lies more than ``MARGIN`` from its top and bottom
edges: the running header and the page-number footer are left out.

- Lines come from pypdf's text visitor (points, origin bottom left). Text
  drawn inside an SVG (a chart's labels) is placed unreliably by pypdf, so
  the lines are for reading the text flow, not for measuring drawings.
- Fullness is measured on the rendered page (poppler's pdftoppm, a system
  dependency of the project): the lowest ink of the body, drawings included.
"""

from __future__ import annotations

import io
import subprocess
import tempfile
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pypdf
from PIL import Image

MM = 72 / 25.4
# The playbook's margins are 22 mm / 20 mm (18 mm landscape); its header and
# footer sit in the middle of them, about 9-12 mm from the edge.
MARGIN = 16 * MM


@dataclass(frozen=True)
class Line:
    y: float  # baseline, points from the bottom of the page
    text: str


@dataclass(frozen=True)
class Page:
    number: int  # 1-based
    width: float
    height: float
    lines: list[Line]  # the body's lines, top to bottom

    @property
    def last_line(self) -> str:
        return self.lines[-1].text if self.lines else ""


def reader(content: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(content))


def pages(content: bytes) -> list[Page]:
    """Every page's body text as lines (pieces on one baseline joined)."""
    return [_page(number, page) for number, page in enumerate(reader(content).pages, start=1)]


def _page(number: int, page: pypdf.PageObject) -> Page:
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    pieces: list[tuple[float, float, str]] = []

    def visit(text: str, cm: list, tm: list, _font: object, _size: object) -> None:
        if not text.strip():
            return
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        if MARGIN < y < height - MARGIN:
            pieces.append((round(y, 1), x, text))

    page.extract_text(visitor_text=visit)
    rows: dict[float, list[tuple[float, str]]] = {}
    for y, x, text in pieces:
        key = next((k for k in rows if abs(k - y) < 1.5), y)
        rows.setdefault(key, []).append((x, text))
    lines = [
        Line(y, " ".join(" ".join(t for _x, t in sorted(row)).split()))
        for y, row in sorted(rows.items(), key=lambda item: -item[0])
    ]
    return Page(number, width, height, lines)


def ends_with_one_of(content: bytes, labels: set[str]) -> list[tuple[int, str]]:
    """The pages whose last body line is one of ``labels`` (compared without
    case, as labels are often printed in capitals): (page number, line)."""
    wanted = {" ".join(label.split()).casefold() for label in labels if label.strip()}
    return [(p.number, p.last_line) for p in pages(content) if p.last_line.casefold() in wanted]


DPI = 24  # enough to see where ink ends, cheap for a hundred pages
INK = 235  # a grey darker than this is ink (light table rules count too)


def fullness(content: bytes) -> list[float]:
    """How far down each page's body the ink reaches: 0 empty, 1 down to the
    bottom margin. Text, rules, boxes and drawings all count."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "doc.pdf"
        source.write_bytes(content)
        subprocess.run(
            ["pdftoppm", "-r", str(DPI), "-gray", "-png", str(source), f"{folder}/p"],
            check=True,
            capture_output=True,
        )
        result = []
        for image_path in sorted(Path(folder).glob("p-*.png"), key=lambda p: int(p.stem[2:])):
            with Image.open(image_path) as image:
                result.append(_ink_depth(image.convert("L")))
        return result


def _ink_depth(image: Image.Image) -> float:
    margin = round(MARGIN / 72 * DPI)
    top, bottom = margin, image.height - margin
    body = image.crop((0, top, image.width, bottom))
    # Rows holding ink: the darkest pixel of each row below INK.
    mask = body.point(lambda v: 255 if v < INK else 0)
    box = mask.getbbox()
    if box is None:
        return 0.0
    return box[3] / (bottom - top)


def sparse_pages(content: bytes, *, at_least: float = 0.25) -> list[tuple[int, float]]:
    """The pages less than ``at_least`` full, besides the first (the cover)
    and the last: (page number, fullness)."""
    found = fullness(content)
    return [
        (number, round(value, 2))
        for number, value in enumerate(found, start=1)
        if 1 < number < len(found) and value < at_least
    ]


LABEL_TAGS = {"h1", "h2", "h3", "h4", "dt"}
VOID = {"br", "img", "meta", "link", "hr", "input", "wbr", "col", "source"}


class Headings(HTMLParser):
    """The texts of the headings and labels of the PDF's HTML: h1-h4, dt and
    anything of class "label" (a table's header repeats on each page: not one)."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[bool] = []
        self.current: list[str] = []
        self.found: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            return
        classes = (dict(attrs).get("class") or "").split()
        opens = tag in LABEL_TAGS or "label" in classes
        if opens and not any(self.stack):
            self.current = []
        self.stack.append(opens)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        pass  # <path/>, <rect/>: nothing inside

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID or not self.stack:
            return
        if self.stack.pop() and not any(self.stack):
            text = " ".join("".join(self.current).split())
            if text:
                self.found.add(text)

    def handle_data(self, data: str) -> None:
        if any(self.stack):
            self.current.append(data)


def headings(html: str) -> set[str]:
    """The heading and label texts of a PDF's HTML (``planner.pdf.render_html``),
    to compare with the pages' last lines."""
    parser = Headings()
    parser.feed(html)
    return parser.found
