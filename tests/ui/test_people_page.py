"""The People page on a real encrypted store: unlocking (wrong passphrase, store held by another
process), searching without an audit entry per keystroke, overdue reviews, key needs, export,
history with undo, and deleting with confirmation."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QAbstractButton, QLineEdit, QListWidget, QWidget

from assistant.people.directory import PeopleDirectory
from profiles.fhir import validate_bundle
from profiles.store import ProfileStore
from tests.people.store_lock import write_lock_held_elsewhere
from tests.profiles.conftest import PASSPHRASE, TEST_SCRYPT_N
from ui.people_dialogs import DeleteConfirmation, ExportDialog, HistoryDialog
from ui.people_page import WRONG_PASSPHRASE, PeoplePage

WAIT_MS = 20_000
ADA = {
    "identity": {"preferred_name": "Ada"},
    "needs": [
        {"category": "communication_support", "code": "441092009", "display": "Does lip read"},
        {
            "category": "communication_professional",
            "code": "204331000000107",
            "display": "British Sign Language interpreter needed",
        },
    ],
    "hearing": {"better_ear": "left"},
}


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    path = tmp_path / "profiles.sqlite3"
    with ProfileStore.create(path, PASSPHRASE, "Tess Tester", scrypt_n=TEST_SCRYPT_N) as store:
        store.create_profile(ADA)
        store.create_profile({"preferred_name": "Zoë"})
        store.import_profiles(
            [{"identity": {"preferred_name": "Bob"}, "consent": {"review_date": "2020-01-01"}}]
        )
    return path


@pytest.fixture
def page(qtbot, store_path: Path) -> Iterator[PeoplePage]:  # type: ignore[no-untyped-def]
    directory = PeopleDirectory(store_path, "Tess Tester", scrypt_n=TEST_SCRYPT_N)
    made = PeoplePage(directory)
    qtbot.addWidget(made)
    made.resize(1000, 640)
    made.show()
    qtbot.waitExposed(made)
    yield made
    if made.dialog is not None:
        made.dialog.reject()
    directory.close()


def _settle(qtbot, page: PeoplePage) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: not page.busy, timeout=WAIT_MS)


def _unlock(qtbot, page: PeoplePage) -> None:  # type: ignore[no-untyped-def]
    qtbot.keyClicks(page.locked_view.passphrase, PASSPHRASE)
    qtbot.keyClick(page.locked_view.passphrase, Qt.Key.Key_Return)
    _settle(qtbot, page)
    assert page.stack.currentWidget() is page.directory_view


def _names(page: PeoplePage) -> list[str]:
    people = page.directory_view.people
    return [people.item(row).text() for row in range(people.count())]


def _open(qtbot, page: PeoplePage, name: str) -> None:  # type: ignore[no-untyped-def]
    search = page.directory_view.search
    search.clear()
    qtbot.keyClicks(search, name)
    qtbot.keyClick(search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.profile is not None, timeout=WAIT_MS)


def _audit_count(path: Path) -> int:
    with ProfileStore.open(path, PASSPHRASE, "Checker") as store:
        return len(store.audit_log())


def test_a_wrong_passphrase_says_so_and_the_right_one_then_unlocks(qtbot, page: PeoplePage) -> None:  # type: ignore[no-untyped-def]
    field = page.locked_view.passphrase
    with qtbot.assertNotEmitted(page.unlocked):
        qtbot.keyClicks(field, "not the passphrase")
        qtbot.keyClick(field, Qt.Key.Key_Return)
        _settle(qtbot, page)
    assert page.message.text() == WRONG_PASSPHRASE
    assert field.text() == "" and page.focusWidget() is field
    assert page.stack.currentWidget() is page.locked_view
    with qtbot.waitSignal(page.unlocked, timeout=WAIT_MS):
        qtbot.keyClicks(field, PASSPHRASE)
        qtbot.mouseClick(page.locked_view.unlock, Qt.MouseButton.LeftButton)
    assert _names(page) == ["Ada", "Bob — Review overdue", "Zoë"]
    assert field.text() == "" and page.message.text() == "Unlocked. 3 people in the store."


def test_a_store_held_by_another_process_says_so_without_blocking_the_window(
    qtbot, page: PeoplePage, store_path: Path
) -> None:  # type: ignore[no-untyped-def]
    field = page.locked_view.passphrase
    seen_while_busy: list[bool] = []
    ticks = QTimer(interval=20)
    ticks.timeout.connect(lambda: seen_while_busy.append(page.busy))
    with write_lock_held_elsewhere(store_path):
        qtbot.keyClicks(field, PASSPHRASE)
        qtbot.mouseClick(page.locked_view.unlock, Qt.MouseButton.LeftButton)
        # The click came back while the store was still waiting for the other process's lock.
        assert page.busy and page.message.text() == "Unlocking the profile store…"
        ticks.start()
        qtbot.waitUntil(lambda: "in use by another Hark window" in page.message.text(), timeout=WAIT_MS)
        ticks.stop()
    assert True in seen_while_busy  # the window went on handling events while the store was busy
    assert page.message.text() == (
        "The profile store is in use by another Hark window; close it there, or wait, and try again."
    )
    assert page.stack.currentWidget() is page.locked_view and field.text() == PASSPHRASE
    qtbot.mouseClick(page.locked_view.unlock, Qt.MouseButton.LeftButton)  # the other one has finished
    _settle(qtbot, page)
    assert page.stack.currentWidget() is page.directory_view and len(_names(page)) == 3


def test_typing_a_name_filters_in_memory_with_no_audit_entry_per_keystroke(
    qtbot, page: PeoplePage, store_path: Path
) -> None:  # type: ignore[no-untyped-def]
    _unlock(qtbot, page)
    before = _audit_count(store_path)
    search = page.directory_view.search
    qtbot.keyClicks(search, "zoe")
    assert _names(page) == ["Zoë"] and not page.busy
    search.clear()
    qtbot.keyClicks(search, "xyz")
    assert _names(page) == [] and page.directory_view.count.text() == "No one's name has “xyz” in it."
    qtbot.keyClick(search, Qt.Key.Key_Backspace)
    qtbot.keyClick(search, Qt.Key.Key_Backspace)
    qtbot.keyClick(search, Qt.Key.Key_Backspace)
    assert len(_names(page)) == 3
    assert _audit_count(store_path) == before  # 9 keystrokes, no entry


def test_an_overdue_review_is_said_in_words(qtbot, page: PeoplePage) -> None:  # type: ignore[no-untyped-def]
    _unlock(qtbot, page)
    _open(qtbot, page, "bob")
    assert page.directory_view.review.text() == "Review overdue: it was due by 1 January 2020."
    _open(qtbot, page, "zo")
    assert page.directory_view.review.text() == "No review date is set."


def test_opening_a_person_shows_their_key_needs_large_and_starts_a_session(qtbot, page: PeoplePage) -> None:  # type: ignore[no-untyped-def]
    _unlock(qtbot, page)
    _open(qtbot, page, "ada")
    needs = page.directory_view.needs
    assert (
        needs.text() == "• Needs a BSL interpreter\n• Lip-reads: face the light\n• Hears better on the left"
    )
    assert needs.font().pointSize() >= 20 and page.directory_view.name.text() == "Ada"
    with qtbot.waitSignal(page.start_session) as started:
        qtbot.mouseClick(page.directory_view.start, Qt.MouseButton.LeftButton)
    profile_id, profile = started.args
    assert page.person is not None and profile_id == page.person.id
    assert profile["hearing"]["better_ear"] == "left"
    with qtbot.waitSignal(page.edit_person) as editing:
        qtbot.mouseClick(page.directory_view.edit, Qt.MouseButton.LeftButton)
    assert editing.args == [profile_id]


def test_delete_asks_says_what_is_erased_and_then_erases_it(
    qtbot, page: PeoplePage, store_path: Path
) -> None:  # type: ignore[no-untyped-def]
    with ProfileStore.open(store_path, PASSPHRASE, "Tess Tester") as store:
        [zoe] = [s.id for s in store.list_profiles() if s.preferred_name == "Zoë"]
        store.add_session(zoe, {"steps": []})
        store.session_records.save_draft({"steps": []}, None, zoe)
    _unlock(qtbot, page)
    _open(qtbot, page, "zo")
    qtbot.mouseClick(page.directory_view.delete, Qt.MouseButton.LeftButton)
    box = page.dialog
    assert isinstance(box, DeleteConfirmation) and box.isVisible()
    text = box.text()
    assert text.startswith("Delete Zoë for good?")
    for erased in ("profile and every earlier version", "every session record", "unfinished session drafts"):
        assert erased in text
    assert "The audit log keeps only that a profile was erased" in text
    assert box.defaultButton() is box.keep_button
    qtbot.mouseClick(box.keep_button, Qt.MouseButton.LeftButton)
    assert not page.busy and "Zoë" in _names(page)
    qtbot.mouseClick(page.directory_view.delete, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.dialog.delete_button, Qt.MouseButton.LeftButton)
    _settle(qtbot, page)
    assert "Zoë" not in _names(page) and page.message.text().startswith("Zoë was deleted")
    with ProfileStore.open(store_path, PASSPHRASE, "Checker") as store:
        assert zoe not in [s.id for s in store.list_profiles()]
        assert store.session_records.drafts() == []
        assert store.audit_log()[-2].action == "delete"  # then the checker's own "list"


@pytest.mark.parametrize("kind", ["pdf", "json", "fhir"])
def test_export_writes_the_file(qtbot, page: PeoplePage, tmp_path: Path, kind: str) -> None:  # type: ignore[no-untyped-def]
    _unlock(qtbot, page)
    _open(qtbot, page, "ada")
    qtbot.mouseClick(page.directory_view.export, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert isinstance(dialog, ExportDialog)
    dialog.choose_kind(kind)
    assert dialog.path.text().endswith({"pdf": ".pdf", "json": ".json", "fhir": ".fhir.json"}[kind])
    out = tmp_path / f"ada.{kind}"
    dialog.path.setText(str(out))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    _settle(qtbot, page)
    assert page.dialog is None and page.message.text().startswith(f"Wrote {out}.")  # closed
    data = out.read_bytes()
    if kind == "pdf":
        assert data.startswith(b"%PDF")
    elif kind == "json":
        assert json.loads(data)["identity"]["preferred_name"] == "Ada"
    else:
        assert validate_bundle(json.loads(data)) == []


def test_export_refuses_a_file_that_exists_in_words(qtbot, page: PeoplePage, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _unlock(qtbot, page)
    _open(qtbot, page, "ada")
    qtbot.mouseClick(page.directory_view.export, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    (tmp_path / "there.json").write_text("{}")
    dialog.choose_kind("json")
    dialog.path.setText(str(tmp_path / "there.json"))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert "already exists" in dialog.message.text() and not page.busy
    dialog.path.setText(str(tmp_path / "no folder" / "x.json"))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert dialog.message.text().startswith("There is no folder")
    assert (tmp_path / "there.json").read_text() == "{}"


def test_history_lists_versions_and_going_back_makes_a_new_version(
    qtbot, page: PeoplePage, store_path: Path
) -> None:  # type: ignore[no-untyped-def]
    with ProfileStore.open(store_path, PASSPHRASE, "Sam Senior") as store:
        [ada] = [s.id for s in store.list_profiles() if s.preferred_name == "Ada"]
        changed = store.current(ada)
        changed["hearing"]["better_ear"] = "right"
        store.update_profile(ada, changed)
    _unlock(qtbot, page)
    _open(qtbot, page, "ada")
    assert "Hears better on the right" in page.directory_view.needs.text()
    qtbot.mouseClick(page.directory_view.history, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert isinstance(dialog, HistoryDialog)
    qtbot.waitUntil(lambda: dialog.versions.count() == 2, timeout=WAIT_MS)
    lines = [dialog.versions.item(row).text() for row in range(2)]
    assert lines[0].startswith("Version 1, ") and lines[0].endswith("by Tess Tester: created")
    assert lines[1].endswith("by Sam Senior: changed (hearing.better_ear)")
    assert not dialog.go_back.isEnabled()  # the current version is chosen
    dialog.versions.setCurrentRow(0)
    qtbot.mouseClick(dialog.go_back, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.versions.count() == 3, timeout=WAIT_MS)
    assert dialog.message.text() == "Version 1 is back, saved as version 3."
    assert dialog.versions.item(2).text().endswith("by Tess Tester: put back as version 1")
    qtbot.waitUntil(lambda: "Hears better on the left" in page.directory_view.needs.text(), timeout=WAIT_MS)


def test_lock_hides_names_and_details(qtbot, page: PeoplePage) -> None:  # type: ignore[no-untyped-def]
    _unlock(qtbot, page)
    _open(qtbot, page, "ada")
    with qtbot.waitSignal(page.locked):
        page.lock()
    assert page.stack.currentWidget() is page.locked_view
    assert _names(page) == [] and page.directory_view.needs.text().startswith("Choose a person")
    assert page.directory_view.name.text() == "No one chosen" and page.profile is None
    _settle(qtbot, page)
    assert page.directory.store is None


def test_no_store_yet_offers_to_make_one_or_to_skip(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    directory = PeopleDirectory(tmp_path / "new" / "profiles.sqlite3", "Tess Tester", scrypt_n=TEST_SCRYPT_N)
    page = PeoplePage(directory)
    qtbot.addWidget(page)
    try:
        view = page.create_view
        assert page.stack.currentWidget() is view
        with qtbot.waitSignal(page.quick_session):
            qtbot.mouseClick(view.skip, Qt.MouseButton.LeftButton)
        qtbot.keyClicks(view.first, "short")
        assert view.rule.text().startswith("3 more characters needed")
        qtbot.mouseClick(view.create_store, Qt.MouseButton.LeftButton)
        assert "at least 8 characters" in page.message.text() and not directory.exists
        qtbot.keyClicks(view.first, " and long")
        qtbot.keyClicks(view.second, "short and lung")
        qtbot.mouseClick(view.create_store, Qt.MouseButton.LeftButton)
        assert "different" in page.message.text() and not directory.exists
        view.second.setText("short and long")
        with qtbot.waitSignal(page.unlocked, timeout=WAIT_MS):
            qtbot.keyClick(view.second, Qt.Key.Key_Return)
        assert directory.exists and page.stack.currentWidget() is page.directory_view and _names(page) == []
    finally:
        directory.close()


def test_every_control_has_a_name(qtbot, page: PeoplePage) -> None:  # type: ignore[no-untyped-def]
    def check(widget: QWidget) -> None:
        for control in widget.findChildren(QLineEdit) + widget.findChildren(QListWidget):
            assert control.accessibleName(), type(control).__name__
        for button in widget.findChildren(QAbstractButton):
            if button.focusPolicy() == Qt.FocusPolicy.NoFocus:
                continue  # the search box's clear button (the keyboard clears the box itself)
            assert button.accessibleName(), button.text()
            assert "&" in button.text() or button.text() == "Cancel", button.text()

    _unlock(qtbot, page)
    check(page)
    _open(qtbot, page, "ada")
    for opener in (page.directory_view.history, page.directory_view.export):
        qtbot.mouseClick(opener, Qt.MouseButton.LeftButton)
        check(page.dialog)
        page.dialog.reject()
