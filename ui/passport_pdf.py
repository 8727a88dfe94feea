"""Print the communication passport to an A4 PDF in large print, with Qt's own PDF writer.

Layout follows the large-print and easy-read guidance behind the AIS code "written information
in at least 20 point sans serif font": a sans-serif system font, body text 22 pt, headings
larger and bold, black on white, left aligned, short lines, wide margins. A heading is never
left at the foot of a page without its first lines, a paragraph never leaves one line alone,
and every page says "Page N of M". Works headless (offscreen Qt platform); no network fonts.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QMarginsF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QFontMetricsF,
    QGuiApplication,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QTextCharFormat,
    QTextLayout,
)
from PySide6.QtWidgets import QApplication

from profiles.passport import Passport, build_passport

# First installed family wins; Qt's font fallback then covers scripts the family lacks
# (on Debian: DejaVu Sans for Arabic script, Droid Sans Fallback for Chinese).
SANS_FAMILIES = (
    "Atkinson Hyperlegible",
    "Noto Sans",
    "Open Sans",
    "DejaVu Sans",
    "Liberation Sans",
    "Nimbus Sans",
    "Arial",
    "Helvetica",
)
BODY_PT, INTRO_PT, HEADING_PT, TITLE_PT, SMALL_PT, FOOTER_PT = 22.0, 26.0, 30.0, 36.0, 15.0, 16.0
MARGIN_MM, RESOLUTION_DPI, LINE_GAP = 20.0, 300, 0.3  # LINE_GAP: extra space per line, in em

_app: Any = None


@dataclass
class _Row:
    """One laid-out line; `glue` keeps it on the same page as the row after it."""

    layout: Any  # QTextLayout
    line: Any  # QTextLine
    x: float
    height: float
    space_before: float
    glue: bool = False
    marker: str = ""  # a bullet drawn left of the first line
    continued: list[_Row] | None = None  # "Heading (continued)", for a page that starts mid-section


def ensure_gui_application() -> None:
    """Qt needs an application object for fonts; make one (offscreen when there is no display).

    It is a QApplication, not a bare QGuiApplication, so that widgets can still be made later in
    the same process (the caption window, a test suite): Qt aborts a QWidget built under a
    QGuiApplication, and an application object cannot be replaced once made."""
    global _app

    existing = QCoreApplication.instance()
    if isinstance(existing, QGuiApplication):
        return
    if existing is not None:
        raise RuntimeError(
            "Cannot print the passport: this program started Qt without its GUI part "
            "(QCoreApplication); start it with QGuiApplication or QApplication."
        )
    if not (
        os.environ.get("DISPLAY")
        or os.environ.get("WAYLAND_DISPLAY")
        or os.name == "nt"
        or os.uname().sysname == "Darwin"
    ):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    _app = QApplication([])


def sans_family() -> str:

    installed = set(QFontDatabase.families())
    return next((family for family in SANS_FAMILIES if family in installed), "")


def _font(size_pt: float, *, bold: bool = False) -> Any:

    font = QFont(sans_family()) if sans_family() else QFont()
    font.setStyleHint(QFont.StyleHint.SansSerif)
    # Ligatures ("fi" as one glyph) break copying, searching and screen readers' text.
    font.setFeature(QFont.Tag("liga"), 0)
    font.setPointSizeF(size_pt)
    font.setBold(bold)
    return font


def write_passport_pdf(profile: dict[str, Any], path: Path) -> None:
    """Write the passport of a normalised profile to `path`, atomically: a failure leaves no file
    (or the previous one) behind. Raises OSError when the folder cannot be written."""
    ensure_gui_application()
    _write(build_passport(profile), profile["identity"]["preferred_name"], Path(path))


def _write(passport: Passport, name: str, path: Path) -> None:

    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    try:
        writer = QPdfWriter(temporary)
        writer.setResolution(RESOLUTION_DPI)
        writer.setPageLayout(
            QPageLayout(
                QPageSize(QPageSize.PageSizeId.A4),
                QPageLayout.Orientation.Portrait,
                QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM),
                QPageLayout.Unit.Millimeter,
            )
        )
        writer.setTitle(f"{passport.title}: {name}")
        writer.setCreator("Hark")
        painter = QPainter()
        if not painter.begin(writer):
            raise OSError(f"Cannot write the passport PDF in {path.parent}: Qt could not open the file.")
        try:
            _paint(painter, writer, passport, name)
        finally:
            painter.end()
        del writer
        if os.path.getsize(temporary) == 0:
            raise OSError(f"Cannot write the passport PDF in {path.parent}: Qt wrote an empty file.")
        with open(temporary, "rb") as written:
            os.fsync(written.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def unprintable_characters(profile: dict[str, Any]) -> list[str]:
    """Characters of the passport that no installed font can draw. Qt prints nothing (or an empty
    box) in their place, so a caller should warn: "Some letters in the name cannot be printed"."""
    ensure_gui_application()
    return _unprintable(build_passport(profile))


def _unprintable(passport: Passport) -> list[str]:
    import unicodedata

    missing: list[str] = []
    seen: set[str] = set()
    for text, font in _texts(passport):
        for char in text:
            if char in seen or char.isspace() or unicodedata.category(char) in ("Cc", "Cf"):
                continue
            seen.add(char)
            # Laid out alone, so Qt's font fallback picks a font for this character only.
            layout = QTextLayout(char, font)
            layout.beginLayout()
            layout.createLine().setLineWidth(1e6)
            layout.endLayout()
            if not any(0 not in run.glyphIndexes() for run in layout.glyphRuns()):
                missing.append(char)
    return missing


def _texts(passport: Passport) -> list[tuple[str, Any]]:
    body, small = _font(BODY_PT), _font(SMALL_PT)
    out = [(passport.title, _font(TITLE_PT, bold=True)), *((p, _font(INTRO_PT)) for p in passport.intro)]
    for section in passport.sections:
        out.append((section.heading, _font(HEADING_PT, bold=True)))
        out += [(p, body) for p in (*section.paragraphs, *section.closing)]
        for line in section.bullets:
            out += [(line.full_text, body)] + ([(line.small, small)] if line.small else [])
    return out


def _rows(passport: Passport, device: Any, width: float) -> list[_Row]:

    body_em = QFontMetricsF(_font(BODY_PT), device).height()
    rows: list[_Row] = []

    def add(
        text: str,
        font: Any,
        *,
        x: float = 0.0,
        before: float = 0.0,
        marker: str = "",
        keep_all: bool = False,
        bold_chars: int = 0,
    ) -> list[_Row]:
        layout = QTextLayout(text, font, device)
        if bold_chars:
            label = QTextLayout.FormatRange()
            label.start, label.length = 0, bold_chars
            label.format = QTextCharFormat()
            label.format.setFontWeight(QFont.Weight.Bold)
            layout.setFormats([label])
        gap = QFontMetricsF(font, device).height() * LINE_GAP
        layout.beginLayout()
        added: list[_Row] = []
        while (line := layout.createLine()).isValid():
            line.setLineWidth(width - x)
            added.append(_Row(layout, line, x, line.height() + gap, before if not added else 0.0))
        layout.endLayout()
        for i, row in enumerate(added[:-1]):
            # No single line left alone at the foot or the head of a page.
            row.glue = keep_all or i == 0 or i == len(added) - 2
        added[0].marker = marker
        rows.extend(added)
        return added

    add(passport.title, _font(TITLE_PT, bold=True), keep_all=True)[-1].glue = True
    for paragraph in passport.intro:
        add(paragraph, _font(INTRO_PT), before=body_em * 0.5)
    indent = body_em * 1.2
    for section in passport.sections:
        add(section.heading, _font(HEADING_PT, bold=True), before=body_em * 1.1, keep_all=True)[
            -1
        ].glue = True
        content_start = len(rows)
        for paragraph in section.paragraphs:
            last = add(paragraph, _font(BODY_PT), before=body_em * 0.4)
        if section.paragraphs and section.bullets:
            last[-1].glue = True  # "What was agreed:" stays with its list
        for item in section.bullets:
            text_rows = add(
                item.full_text,
                _font(BODY_PT),
                x=indent,
                before=body_em * 0.35,
                marker="•",
                bold_chars=len(item.label),
            )
            if item.small:
                text_rows[-1].glue = True
                add(item.small, _font(SMALL_PT), x=indent, before=body_em * 0.1, keep_all=True)
        for paragraph in section.closing:
            add(paragraph, _font(BODY_PT), before=body_em * 0.4)
        if len(rows) - content_start >= 2:
            rows[content_start].glue = True  # a heading keeps at least two lines of its text
        content = rows[content_start:]
        continued = add(f"{section.heading} (continued)", _font(BODY_PT, bold=True), keep_all=True)
        del rows[-len(continued) :]
        for row in content:
            row.continued = continued
    return rows


def _paginate(rows: list[_Row], page_height: float) -> list[list[tuple[_Row, float]]]:
    """Rows placed on pages as (row, y); glued runs move to a new page together when they fit one,
    and a page that starts inside a section first repeats its heading, marked "(continued)"."""
    pages: list[list[tuple[_Row, float]]] = [[]]
    y = 0.0

    def new_page(row: _Row) -> None:
        nonlocal y
        pages.append([])
        y = 0.0
        for label in row.continued or ():
            pages[-1].append((label, y))
            y += label.height

    i = 0
    while i < len(rows):
        j = i
        while rows[j].glue and j + 1 < len(rows):
            j += 1
        run = rows[i : j + 1]
        run_height = sum(r.height for r in run) + sum(r.space_before for r in run[1:])
        if pages[-1] and y + run[0].space_before + run_height > page_height and run_height <= page_height:
            new_page(run[0])
        for row in run:
            if pages[-1] and y + row.space_before + row.height > page_height:
                new_page(row)  # only for a glued run taller than a whole page
            y += row.space_before if y > 0 else 0.0
            pages[-1].append((row, y))
            y += row.height
        i = j + 1
    return pages


def _paint(painter: Any, writer: Any, passport: Passport, name: str) -> None:

    page = writer.pageLayout().paintRectPixels(writer.resolution())
    footer_font = _font(FOOTER_PT)
    footer_height = QFontMetricsF(footer_font, writer).height() * 2
    rows = _rows(passport, writer, float(page.width()))
    pages = _paginate(rows, page.height() - footer_height)
    black = QColor(0, 0, 0)
    for number, placed in enumerate(pages, start=1):
        if number > 1:
            writer.newPage()
        painter.setPen(black)
        for row, y in placed:
            if row.marker:
                painter.setFont(row.layout.font())
                painter.drawText(QPointF(row.x * 0.25, y + row.line.ascent()), row.marker)
            row.line.draw(painter, QPointF(row.x, y - row.line.y()))
        painter.setFont(footer_font)
        footer = QRectF(0, page.height() - footer_height * 0.6, page.width(), footer_height * 0.6)
        painter.drawText(
            footer,
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            f"{name}: {passport.title}",
        )
        painter.drawText(
            footer,
            int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
            f"Page {number} of {len(pages)}",
        )
