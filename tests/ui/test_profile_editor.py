"""The profile editor on real profiles, the model's own validation and a real encrypted store: every
schema field has a named, reachable editor; edits round-trip through the store; each problem is
written beside its field and Save is refused; tone presets fill the bands; listening changes are sent."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSlider,
    QWidget,
)

from audio.settings import TONE_PRESETS
from profiles import model
from profiles.errors import ProfileError
from profiles.fields import Field, Items, Section, join
from profiles.model import validate_profile
from profiles.needs import COMMON_NEEDS
from profiles.store import ProfileStore
from tests.profiles.conftest import FULL_PROFILE, PASSPHRASE, TEST_SCRYPT_N
from ui.profile_editor import ProfileEditor

NOT_SHOWN = {"schema", "version", "id"}  # kept as they came; the store owns them


def schema_paths(field: Field, path: str = "") -> Iterator[str]:
    """Every field the model knows, walked from the model's own schema; list items as item 0."""
    if isinstance(field, Section):
        if field.open_keys is not None:
            yield from (join(path, key) for key in field.key_names)
            return
        if field.nullable:
            yield path  # recorded or not (the audiogram)
        for name, inner in field.fields.items():
            if not path and name in NOT_SHOWN:
                continue
            yield from schema_paths(inner, join(path, name))
    elif isinstance(field, Items):
        if field.exact is not None:
            yield from (join(path, index) for index in range(field.exact))
        elif isinstance(field.item, Section):
            yield path
            yield from schema_paths(field.item, join(path, 0))
        else:
            yield path  # a list of short texts, edited one a line
    else:
        yield path


@pytest.fixture
def open_editor(qtbot) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    made: list[ProfileEditor] = []

    def open_one(profile: dict[str, Any] | None) -> ProfileEditor:
        editor = ProfileEditor(copy.deepcopy(profile) if profile is not None else None)
        editor.show()  # not given to qtbot: closing with changes asks a question
        qtbot.waitExposed(editor)
        made.append(editor)
        return editor

    yield open_one
    for editor in made:
        editor.done(QDialog.DialogCode.Rejected)  # closes without asking
        editor.deleteLater()


def save_button(editor: ProfileEditor) -> QAbstractButton:
    return editor.buttons.button(QDialogButtonBox.StandardButton.Save)


def show_tab_of(editor: ProfileEditor, widget: QWidget) -> None:
    editor.tabs.setCurrentIndex(next(i for i, form in enumerate(editor.forms) if form.isAncestorOf(widget)))


def part_of_another(widget: QWidget) -> bool:
    """A spin box's text box or a drop-down's list: named through the control they belong to."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractSpinBox | QComboBox):
            return True
        parent = parent.parentWidget()
    return False


def type_into(qtbot, widget: QWidget, text: str) -> None:  # type: ignore[no-untyped-def]
    show_tab_of(widget.window(), widget)  # type: ignore[arg-type]
    widget.setFocus()
    qtbot.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(widget, Qt.Key.Key_Delete)
    for number, part in enumerate(text.split("\n")):
        if number:
            qtbot.keyClick(widget, Qt.Key.Key_Return)  # QTest cannot type a line break as text
        qtbot.keyClicks(widget, part)


def test_the_schema_walk_finds_every_kind_of_field() -> None:
    paths = set(schema_paths(model.SCHEMA))
    expected = {
        "identity.date_of_birth",
        "needs[0].code",
        "hearing.audiogram",
        "hearing.audiogram.right.8000",
        "hearing.listening.left_tone_db[7]",
        "phrases.favourites",
        "consent.agreed_to.share",
    }
    assert expected <= paths and len(paths) > 80


def test_every_schema_field_has_a_named_editor_reachable_by_keyboard(open_editor) -> None:  # type: ignore[no-untyped-def]
    editor = open_editor(FULL_PROFILE)  # one item in each list, and an audiogram
    fields = editor.fields()
    for path in schema_paths(model.SCHEMA):
        assert path in fields, f"no editor for {path}"
        widget = fields[path]
        show_tab_of(editor, widget)
        assert widget.isVisible() and widget.isEnabled(), path
        assert widget.focusPolicy() & Qt.FocusPolicy.TabFocus, path
        assert widget.accessibleName(), path


def test_unchanged_profile_comes_back_exactly(open_editor) -> None:  # type: ignore[no-untyped-def]
    editor = open_editor(FULL_PROFILE)
    assert not editor.has_changes()
    assert editor.profile() == validate_profile(FULL_PROFILE)


def test_edits_round_trip_through_the_model_and_a_real_store(qtbot, open_editor, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with ProfileStore.create(
        tmp_path / "s.sqlite3", PASSPHRASE, "Tess Tester", scrypt_n=TEST_SCRYPT_N
    ) as store:
        profile_id = store.create_profile(FULL_PROFILE)
        editor = open_editor(store.view(profile_id))
        type_into(qtbot, editor.field_widget("identity.full_name"), "Zephyrine Q Marchbanks")
        captions = editor.field_widget("captions.scheme")
        assert isinstance(captions, QComboBox)
        captions.setCurrentIndex(captions.findData("black-on-cream"))
        loud = editor.field_widget("hearing.loudness_discomfort")
        assert isinstance(loud, QCheckBox)
        show_tab_of(editor, loud)
        loud.setFocus()
        qtbot.keyClick(loud, Qt.Key.Key_Space)
        type_into(qtbot, editor.field_widget("environment.breaks"), "Every half hour.\nTea helps.")
        qtbot.mouseClick(save_button(editor), Qt.MouseButton.LeftButton)
        assert editor.result() == QDialog.DialogCode.Accepted
        edited = editor.profile()
        assert store.update_profile(profile_id, edited) == 2
        stored = store.view(profile_id)
    assert stored == {**validate_profile(edited), "id": profile_id}
    assert stored["identity"]["full_name"] == "Zephyrine Q Marchbanks"
    assert stored["captions"]["scheme"] == "black-on-cream"
    assert stored["hearing"]["loudness_discomfort"] is False
    assert stored["environment"]["breaks"] == "Every half hour.\nTea helps."
    assert stored["hearing"]["listening"] == validate_profile(FULL_PROFILE)["hearing"]["listening"]


def test_a_new_person_needs_a_name_and_the_problem_is_beside_it(qtbot, open_editor) -> None:  # type: ignore[no-untyped-def]
    editor = open_editor(None)
    assert editor.problems() == {}  # nothing is said before they try to save
    qtbot.mouseClick(save_button(editor), Qt.MouseButton.LeftButton)
    assert editor.result() != QDialog.DialogCode.Accepted
    name = editor.field_widget("identity.preferred_name")
    assert "must not be empty" in editor.problems()["identity.preferred_name"]
    assert editor.summary.text().startswith("1 problem to fix before saving: Preferred name")
    assert editor.focusWidget() is name
    type_into(qtbot, name, "Ada")
    assert editor.problems() == {} and not editor.summary.isVisible()
    qtbot.mouseClick(save_button(editor), Qt.MouseButton.LeftButton)
    assert editor.result() == QDialog.DialogCode.Accepted
    assert editor.profile() == validate_profile({"preferred_name": "Ada"})


def test_a_date_of_birth_in_the_future_is_refused_beside_the_field(qtbot, open_editor) -> None:  # type: ignore[no-untyped-def]
    editor = open_editor(FULL_PROFILE)
    birth = editor.field_widget("identity.date_of_birth")
    type_into(qtbot, birth, "2999-01-01")
    editor.tabs.setCurrentIndex(4)  # somewhere else: Save takes them back to the field
    qtbot.mouseClick(save_button(editor), Qt.MouseButton.LeftButton)
    assert editor.result() != QDialog.DialogCode.Accepted
    label = next(b.problem for b in editor.forms[0].bindings if b.path == "identity.date_of_birth")
    assert label.isVisible() and "2999-01-01 is in the future" in label.text()
    assert label.accessibleName() == label.text() == birth.accessibleDescription()
    assert "1 problem" in editor.summary.text() and "(About the person)" in editor.summary.text()
    assert editor.tabs.currentIndex() == 0 and editor.focusWidget() is birth
    with pytest.raises(ProfileError):
        editor.profile()


def test_a_gain_out_of_range_is_shown_as_it_is_and_refused_until_fixed(qtbot, open_editor) -> None:  # type: ignore[no-untyped-def]
    bad = copy.deepcopy(FULL_PROFILE)
    bad["hearing"]["listening"]["gain_db"] = 80  # from a file edited by hand
    editor = open_editor(bad)
    volume = editor.field_widget("hearing.listening.gain_db")
    assert isinstance(volume, QAbstractSpinBox) and volume.value() == 80  # not silently clamped
    qtbot.mouseClick(save_button(editor), Qt.MouseButton.LeftButton)
    assert editor.result() != QDialog.DialogCode.Accepted
    assert "80 is above the maximum 50 dB" in editor.problems()["hearing.listening.gain_db"]
    assert editor.tabs.tabToolTip(editor.tabs.currentIndex()) == "Listening"
    assert editor.focusWidget() is volume
    volume.setValue(45)
    assert editor.problems() == {}
    qtbot.mouseClick(save_button(editor), Qt.MouseButton.LeftButton)
    assert editor.profile()["hearing"]["listening"]["gain_db"] == 45.0


def test_a_tone_preset_fills_the_bands_and_fine_tuning_keeps_its_name(qtbot, open_editor) -> None:  # type: ignore[no-untyped-def]
    editor = open_editor(None)
    preset = editor.field_widget("hearing.listening.tone_preset")
    assert isinstance(preset, QComboBox)
    show_tab_of(editor, preset)
    preset.setFocus()
    while preset.currentData() != "speech-clarity":  # the keyboard alone
        qtbot.keyClick(preset, Qt.Key.Key_Down)
    listening = editor.field_widget("identity.preferred_name")
    type_into(qtbot, listening, "Ada")
    assert editor.profile()["hearing"]["listening"]["left_tone_db"] == list(TONE_PRESETS["speech-clarity"])
    assert editor.profile()["hearing"]["listening"]["right_tone_db"] == list(TONE_PRESETS["speech-clarity"])
    assert "speech clarity preset" in editor.tone.state.text()
    band = editor.field_widget("hearing.listening.left_tone_db[7]")
    assert isinstance(band, QSlider)
    editor.tone.together.setChecked(False)
    show_tab_of(editor, band)
    band.setFocus()
    qtbot.keyClick(band, Qt.Key.Key_Up)
    changed = editor.profile()["hearing"]["listening"]
    assert changed["tone_preset"] == "speech-clarity"  # the preset the bands started from
    assert changed["left_tone_db"][7] == TONE_PRESETS["speech-clarity"][7] + 0.5
    assert changed["right_tone_db"] == list(TONE_PRESETS["speech-clarity"])
    assert "started from speech clarity and were fine-tuned" in editor.tone.state.text()


def test_listening_changes_are_sent_once_settled_with_the_whole_section(qtbot, open_editor) -> None:  # type: ignore[no-untyped-def]
    editor = open_editor(FULL_PROFILE)
    sent: list[dict[str, Any]] = []
    editor.listening_changed.connect(sent.append)
    volume = editor.field_widget("hearing.listening.gain_db")
    assert isinstance(volume, QAbstractSpinBox)
    for value in (24, 25, 26):  # a burst of changes, as from holding a key down
        volume.setValue(value)
    type_into(qtbot, editor.field_widget("identity.full_name"), "Z")  # not a listening field
    qtbot.waitUntil(lambda: len(sent) == 1)
    expected = validate_profile(FULL_PROFILE)["hearing"]["listening"] | {"gain_db": 26.0}
    assert sent == [expected]
    method = editor.field_widget("hearing.listening.noise_reduction_method")
    assert isinstance(method, QComboBox)
    method.setCurrentIndex(method.findData("learned"))
    qtbot.waitUntil(lambda: len(sent) == 2)
    assert sent[1] == expected | {"noise_reduction_method": "learned"}


def test_a_need_is_chosen_from_the_nhs_list_and_removed_again(qtbot, open_editor) -> None:  # type: ignore[no-untyped-def]
    editor = open_editor({"preferred_name": "Ada"})
    needs = editor.lists[0]
    show_tab_of(editor, needs)
    qtbot.mouseClick(needs.add_button, Qt.MouseButton.LeftButton)
    catalogue = editor.focusWidget()
    assert isinstance(catalogue, QComboBox) and catalogue.accessibleName() == "Need 1: From the NHS list"
    qtbot.keyClick(catalogue, Qt.Key.Key_Down)
    first = COMMON_NEEDS[0]
    type_into(qtbot, editor.field_widget("needs[0].note"), "A woman, please")
    assert editor.profile()["needs"] == [
        {"category": first.category, "code": first.code, "display": first.display, "note": "A woman, please"}
    ]
    type_into(qtbot, editor.field_widget("needs[0].code"), "12345")
    qtbot.mouseClick(save_button(editor), Qt.MouseButton.LeftButton)
    assert "not a SNOMED CT concept id" in editor.problems()["needs[0].code"]
    assert editor.field_widget("needs[0].code").accessibleName() == "Need 1: SNOMED CT code"
    remove = next(b for b in needs.findChildren(QAbstractButton) if b.accessibleName() == "Remove need 1")
    qtbot.mouseClick(remove, Qt.MouseButton.LeftButton)
    assert editor.problems() == {} and editor.profile()["needs"] == []


def test_every_focusable_control_is_named_and_mnemonics_do_not_clash(open_editor) -> None:  # type: ignore[no-untyped-def]
    editor = open_editor(FULL_PROFILE)
    for widget in editor.findChildren(QWidget):
        inside_another = part_of_another(widget)
        if widget.focusPolicy() & Qt.FocusPolicy.TabFocus and not inside_another:
            assert widget.accessibleName(), f"{type(widget).__name__} {widget.objectName()} has no name"
        if isinstance(widget, QPlainTextEdit):
            assert widget.tabChangesFocus()
        if (
            isinstance(widget, QLineEdit | QPlainTextEdit | QComboBox | QAbstractSpinBox)
            and not inside_another
        ):
            labels = [label for label in editor.findChildren(QLabel) if label.buddy() is widget]
            in_grid = widget.accessibleName().endswith("Hz threshold")  # its row's label leads to the row
            assert labels or in_grid, f"{widget.accessibleName()} has no label"
    for form in editor.forms:
        texts = [w.text() for w in form.findChildren(QLabel) + form.findChildren(QAbstractButton)]
        letters = [text[text.index("&") + 1].lower() for text in texts if "&" in text]
        assert len(letters) == len(set(letters)) and not {"s", "c"} & set(letters), letters


def test_tab_goes_through_added_items_in_order_before_the_buttons(qtbot, open_editor) -> None:  # type: ignore[no-untyped-def]
    editor = open_editor(FULL_PROFILE)  # one supporter already, made when the dialog opened
    supporters = editor.lists[2]
    show_tab_of(editor, supporters)
    qtbot.mouseClick(supporters.add_button, Qt.MouseButton.LeftButton)
    assert editor.focusWidget() is editor.field_widget("supporters[1].name")  # the focus goes into it
    qtbot.waitUntil(editor.field_widget("supporters[1].name").isVisible)
    supporters.add_button.setFocus()
    visited = []
    for _ in range(10):
        qtbot.keyClick(editor.focusWidget(), Qt.Key.Key_Tab)
        visited.append(editor.focusWidget().accessibleName())
    assert visited == [
        "Supporter 1: Name",
        "Supporter 1: Role",
        "Supporter 1: Relationship (optional)",
        "Supporter 1: How to reach them (optional)",
        "Remove supporter 1",
        "Supporter 2: Name",
        "Supporter 2: Role",
        "Supporter 2: Relationship (optional)",
        "Supporter 2: How to reach them (optional)",
        "Remove supporter 2",
    ]
    qtbot.keyClick(editor.focusWidget(), Qt.Key.Key_Tab)
    assert editor.focusWidget() is save_button(editor)


def test_a_review_date_already_gone_is_refused_only_when_newly_set(qtbot, open_editor) -> None:  # type: ignore[no-untyped-def]
    overdue = copy.deepcopy(FULL_PROFILE)
    overdue["consent"]["review_date"] = "2020-01-31"  # kept from before: stays, and can be saved
    editor = open_editor(overdue)
    qtbot.mouseClick(save_button(editor), Qt.MouseButton.LeftButton)
    assert editor.result() == QDialog.DialogCode.Accepted
    again = open_editor(overdue)
    type_into(qtbot, again.field_widget("consent.review_date"), "2020-02-01")
    qtbot.mouseClick(save_button(again), Qt.MouseButton.LeftButton)
    assert again.result() != QDialog.DialogCode.Accepted
    assert "2020-02-01 is in the past" in again.problems()["consent.review_date"]
    assert again.focusWidget() is again.field_widget("consent.review_date")
