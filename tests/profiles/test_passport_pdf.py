"""The printed passport: a real PDF from Qt, read back with poppler (pdftotext, pdftoppm)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_passport_samples import full_profile, minimal_profile

from profiles.model import validate_profile
from profiles.passport import build_passport
from ui import passport_pdf
from ui.passport_pdf import BODY_PT, FOOTER_PT, unprintable_characters, write_passport_pdf

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")


def pdf_text(path: Path, *pages: int) -> str:
    args = ["-f", str(pages[0]), "-l", str(pages[-1])] if pages else []
    return subprocess.run(
        ["pdftotext", *args, "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def flat(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


def page_count(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


def test_pdf_holds_name_needs_and_page_numbers(tmp_path):
    path = tmp_path / "passport.pdf"
    profile = full_profile()
    write_passport_pdf(profile, path)
    assert path.read_bytes().startswith(b"%PDF-")
    text = flat(pdf_text(path))
    assert "My communication passport" in text
    assert "Please call me Ada." in text
    for line in build_passport(profile).section("My needs").bullets:
        assert line.text in text
        assert line.small.split(":")[0] in text  # the code, in small print
    pages = page_count(path)
    assert pages >= 2
    for number in range(1, pages + 1):
        assert f"Page {number} of {pages}" in text
    assert [name for name in tmp_path.iterdir()] == [path]  # no temporary file left


def test_minimal_profile_is_short(tmp_path):
    path = tmp_path / "ada.pdf"
    write_passport_pdf(minimal_profile(), path)
    pages = page_count(path)
    assert pages <= 2
    assert f"Page {pages} of {pages}" in pdf_text(path)


def test_body_text_is_at_least_20_point(tmp_path):
    path = tmp_path / "passport.pdf"
    write_passport_pdf(full_profile(), path)
    boxes = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    words = re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]+)<', boxes)
    heights = {word: float(bottom) - float(top) for top, bottom, word in words}
    points_per_height = FOOTER_PT / heights["Page"]  # the footer's size is known
    assert heights["lipspeaker."] * points_per_height >= 20
    assert BODY_PT >= 20


def test_no_heading_is_left_at_the_foot_of_a_page(tmp_path):
    profile = full_profile()
    profile["needs"] = profile["needs"] * 6  # long enough for several page breaks
    profile = validate_profile(profile)
    headings = {section.heading for section in build_passport(profile).sections}
    path = tmp_path / "long.pdf"
    write_passport_pdf(profile, path)
    pages = page_count(path)
    assert pages >= 4
    for number in range(1, pages + 1):
        lines = [line.strip() for line in pdf_text(path, number).splitlines() if line.strip()]
        body = [line for line in lines if "Page " not in line]
        assert body[-1] not in headings, f"page {number} ends with its heading {body[-1]!r}"
        if number > 1 and body[0] not in headings:
            assert body[0].endswith("(continued)"), f"page {number} starts mid-section without a heading"


def test_page_one_renders_to_an_image(tmp_path):
    from PySide6.QtGui import QImage

    path = tmp_path / "passport.pdf"
    write_passport_pdf(full_profile(), path)
    subprocess.run(
        ["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", str(path), str(tmp_path / "page")], check=True
    )
    image = QImage(str(next(tmp_path.glob("page*.png"))))
    assert abs(image.width() - 413) <= 2 and abs(image.height() - 585) <= 2  # A4 at 50 dpi
    dark = sum(
        1
        for y in range(0, image.height(), 3)
        for x in range(0, image.width(), 3)
        if image.pixelColor(x, y).lightness() < 100
    )
    assert dark > 200  # there is text on the page, in black


@pytest.mark.parametrize("name", ["Zofia Łęcka-Wójcik", "王秀英"])
def test_non_latin_names_print(tmp_path, name):
    profile = minimal_profile(name)
    if unprintable_characters(profile):
        pytest.skip(f"no installed font covers {name}")
    path = tmp_path / "passport.pdf"
    write_passport_pdf(profile, path)
    assert name in flat(pdf_text(path)).replace(" ", "") or name in flat(pdf_text(path))


def test_characters_no_font_covers_are_reported():
    profile = minimal_profile("Ada \U00013000")  # an Egyptian hieroglyph: no font here has it
    assert unprintable_characters(profile) == ["\U00013000"]
    assert unprintable_characters(minimal_profile("Ada")) == []


def test_failure_leaves_the_previous_file_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "passport.pdf"
    path.write_bytes(b"%PDF-previous")

    def broken(*args):
        raise RuntimeError("disk went away")

    monkeypatch.setattr(passport_pdf, "_paint", broken)
    with pytest.raises(RuntimeError):
        write_passport_pdf(full_profile(), path)
    assert path.read_bytes() == b"%PDF-previous"
    assert list(tmp_path.iterdir()) == [path]


def test_missing_folder_is_a_clear_oserror(tmp_path):
    with pytest.raises(OSError):
        write_passport_pdf(minimal_profile(), tmp_path / "no such folder" / "passport.pdf")


def test_widgets_still_work_after_printing_a_passport(tmp_path: Path) -> None:
    """Printing must not leave a widget-less Qt application behind: Qt aborts the process when a
    window (the caption window) is made under one, as it did in the full test suite."""
    script = (
        "import sys; from pathlib import Path\n"
        "from ui.passport_pdf import write_passport_pdf\n"
        "from profiles.model import validate_profile\n"
        "write_passport_pdf(validate_profile({'preferred_name': 'Ada'}), Path(sys.argv[1]))\n"
        "from PySide6.QtWidgets import QLabel\n"
        "QLabel('still fine').show(); print('ok')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "p.pdf")],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-500:]
