"""Playlists, the model card, settings and About, on a seeded library in the real window."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from PySide6.QtGui import QColor, QImage

from genre_desktop import __version__
from genre_desktop.ui.dialogs.about_dialog import about_text
from genre_desktop.ui.dialogs.model_card_dialog import ModelCardDialog
from genre_desktop.ui.model_card_info import ModelCardInfo
from genre_desktop.ui.panels.sidebar import SidebarEntry
from tests.ui.conftest import wait_until_idle


def test_playlist_preview_follows_the_rules_then_saves_and_exports(qtbot, seeded_window, tmp_path):
    window = seeded_window
    dialog = window.commands.open_playlist_dialog()
    qtbot.waitUntil(lambda: not dialog.is_updating, timeout=5000)
    def settle():
        qtbot.waitUntil(lambda: not dialog.is_updating, timeout=5000)
        return dialog.tracks

    dialog.form.set_checked(["jazz", "blues"])
    tracks = settle()
    assert tracks and {t.genre for t in tracks} <= {"jazz", "blues"}
    assert dialog.preview.topLevelItemCount() == len(tracks)
    assert dialog.name.text() in ("jazz + blues", "blues + jazz")

    dialog.form.min_confidence.setValue(60)
    assert all(t.confidence is None or t.confidence >= 0.6 for t in settle())
    dialog.form.min_confidence.setValue(0)
    dialog.form.max_tracks.setValue(3)
    assert len(settle()) == 3
    dialog.form.max_tracks.setValue(0)
    dialog.form.per_artist.setValue(1)
    artists = [t.artist for t in settle()]
    assert len(artists) == len(set(artists))
    dialog.form.order.setCurrentIndex(dialog.form.order.findData("smooth"))
    assert len(settle()) == len(artists)

    m3u8, xspf = tmp_path / "out.m3u8", tmp_path / "out.xspf"
    assert dialog.export_to(m3u8) and dialog.export_to(xspf)
    lines = m3u8.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "#EXTM3U"
    assert [line for line in lines if not line.startswith("#")] == [t.path for t in dialog.tracks]
    assert len(list(ET.parse(xspf).getroot().iter("{http://xspf.org/ns/0/}track"))) == len(dialog.tracks)

    dialog.name.setText("Late night")
    with qtbot.waitSignal(dialog.saved, timeout=5000) as saved:
        assert dialog.save()
    dialog.close()
    wait_until_idle(qtbot, window)
    playlist_id = saved.args[0]
    assert window.sidebar.choose(SidebarEntry("playlist", playlist_id))
    wait_until_idle(qtbot, window)
    assert window.model.ids == [t.track_id for t in dialog.tracks]


def test_model_card_dialog_shows_the_honest_numbers(qtbot, tmp_path):
    card = {
        "version": "stack-test-7",
        "genres": ["blues", "jazz", "rock"],
        "summary": {"cv10_accuracy": 0.781, "test_accuracy": 0.552, "test_macro_f1": 0.541,
                    "test_ece": 0.061, "coverage": 0.62, "accuracy_above_threshold": 0.71,
                    "confusion_matrix_png": "confusion_matrix.png"},
        "goals": {"cv10_accuracy": {"goal": 0.8, "value": 0.5}},  # not the headline number
        "recommended_threshold": 0.5,
    }
    (tmp_path / "model_card.json").write_text(json.dumps(card))
    image = QImage(40, 30, QImage.Format.Format_RGB32)
    image.fill(QColor("red"))
    image.save(str(tmp_path / "confusion_matrix.png"))
    info = ModelCardInfo.load(tmp_path)
    assert info.genres == ["blues", "jazz", "rock"] and info.recommended_threshold == 0.5
    dialog = ModelCardDialog(info)
    qtbot.addWidget(dialog)
    values = {label: widget.text() for label, widget in dialog.metric_labels.items()}
    assert values["10-fold cross-validation accuracy (random folds)"] == "78.1%"
    assert values["Fault-filtered test accuracy (no artist overlap)"] == "55.2%"
    assert values["Macro-F1 on that test set"] == "0.541"
    assert values["Calibration error (ECE) on that test set"] == "0.061"
    assert values["Test tracks it labels at that threshold (coverage)"] == "62.0%"
    assert not dialog.image_label.pixmap().isNull()


def test_missing_model_card_is_explained_not_fatal(qtbot, tmp_path):
    info = ModelCardInfo.load(tmp_path)
    assert info.error and "No model card" in info.error
    assert len(info.genres) == 10
    dialog = ModelCardDialog(info)
    qtbot.addWidget(dialog)


def test_settings_dialog_changes_threshold_and_folders(qtbot, seeded_window, tmp_path):
    window = seeded_window
    before = window.refresher.summary.uncertain
    dialog = window.commands.open_settings()
    dialog.use_model_threshold.setChecked(False)
    dialog.threshold.setValue(0.9)
    music = tmp_path / "More music"
    music.mkdir()
    dialog.add_folder(str(music))
    dialog.windows.setValue(5)
    scans = []
    window.context.scanning.scan = lambda paths: scans.append(paths)
    dialog.accept()
    qtbot.waitUntil(lambda: window.refresher.summary.uncertain > before, timeout=5000)
    assert window.context.library.reader.threshold == pytest.approx(0.9)
    saved = type(window.context.settings).load(window.context.paths.settings_file)
    assert saved.uncertainty_threshold == 0.9 and saved.windows_per_track == 5
    assert str(music) in saved.music_folders and scans == [[str(music)]]


def test_about_text_has_the_version():
    assert __version__ in about_text("m1", "paths")
