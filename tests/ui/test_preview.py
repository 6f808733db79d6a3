"""Preview from the window: real playback on ALSA's null device, the part that decided, no device."""

from __future__ import annotations

import pytest

from genre_desktop.ui.panels.detail_panel import decisive_window
from tests.ui.conftest import wait_until_idle
from tests.ui.seed import seed_library


def test_preview_plays_and_position_advances(qtbot, main_window, gtzan_clips):
    player = main_window.player
    qtbot.waitUntil(lambda: main_window.context.playback.state == "stopped", timeout=2000)
    assert player.is_available, player.message.text()
    positions: list[float] = []
    main_window.context.playback.positionChanged.connect(positions.append)
    player.play(str(gtzan_clips[0]))
    qtbot.waitUntil(lambda: bool(positions) and max(positions) > 0.5, timeout=15_000)
    assert player.seek.value() > 0
    assert "/" in player.position_label.text()
    main_window.actions.play_pause.trigger()  # Space
    qtbot.waitUntil(lambda: main_window.context.playback.state == "paused", timeout=5000)
    main_window.actions.stop.trigger()
    qtbot.waitUntil(lambda: main_window.context.playback.state == "stopped", timeout=5000)


def test_play_the_part_that_decided_starts_at_the_decisive_window(qtbot, app_context, main_window,
                                                                  gtzan_clips, monkeypatch):
    paths = [str(p) for p in gtzan_clips[:40]]
    app_context.library.writer.call(lambda conn: seed_library(conn, paths=paths))
    main_window.refresher.everything_changed()
    wait_until_idle(qtbot, main_window)
    calls = []
    monkeypatch.setattr(app_context.playback, "play_file", lambda path, start=None: calls.append((path, start)))
    main_window.library_panel.select_ids([12], current=12)
    detail = main_window.detail.detail
    index = decisive_window(detail)
    genre = detail.row.genre
    assert index is not None
    assert detail.windows[index].probabilities[genre] == max(w.probabilities[genre] for w in detail.windows)
    main_window.actions.play_decisive.trigger()
    assert calls == [(detail.row.path, detail.windows[index].window.start)]
    main_window.detail.play_decisive.click()
    assert calls[-1] == calls[0]


def test_no_audio_device_disables_preview_with_a_message(qtbot, main_window):
    main_window.context.playback.unavailable.emit("Preview is unavailable: no audio output device was found.")
    player = main_window.player
    assert not player.is_available
    assert not player.play_button.isEnabled() and not player.seek.isEnabled()
    assert "no audio output" in player.message.text()
    main_window.actions.play_pause.trigger()  # nothing crashes
    main_window.actions.play_decisive.trigger()
