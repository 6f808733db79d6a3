"""The personal model service in the background, with the real bundled model, a real SQLite
library and the real task runner (pytest-qt waits for its signals)."""

from __future__ import annotations

import shutil

import pytest

from genre_desktop.core.personal import model as personal_model
from genre_desktop.core.settings import Settings
from genre_desktop.library.db import connect
from genre_desktop.library.personalize import LearnProgress, LearnSummary, RepredictOutcome
from genre_desktop.services.library_service import LibraryService
from genre_desktop.services.personal_service import PersonalModelService
from genre_desktop.services.scan_service import ScanOptions, ScanService
from genre_desktop.services.tasks import TaskRunner
from tests.personal.conftest import NEW_GENRE, SOURCE_GENRE

TIMEOUT = 120_000


class Saved:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> None:
        self.count += 1


@pytest.fixture
def env(qtbot, library, personal_dir):
    tasks = TaskRunner()
    service_library = LibraryService(library.db_path, library.writer, tasks)
    settings = Settings()
    saved = Saved()
    service = PersonalModelService(service_library, tasks, settings, saved, personal_dir)
    yield service, service_library, settings, saved, library
    tasks.shutdown()
    service_library.close()


def _sources(db_path) -> dict[str, int]:
    conn = connect(db_path, readonly=True)
    try:
        return {r[0]: r[1] for r in conn.execute("SELECT genre_source, count(*) FROM tracks GROUP BY 1")}
    finally:
        conn.close()


def _learn(qtbot, service) -> LearnSummary:
    with qtbot.waitSignal(service.learned, timeout=TIMEOUT) as blocker:
        assert service.learn()
    return blocker.args[0]


def test_learn_runs_in_the_background_with_progress_and_a_summary(qtbot, env):
    service, service_library, settings, _, library = env
    library.label(library.ids(SOURCE_GENRE), NEW_GENRE)
    settings.use_personal_model = False  # learning switches it on
    progress, busy = [], []
    service.progress.connect(progress.append)
    service.busyChanged.connect(busy.append)
    with qtbot.waitSignals([service.enabledChanged, service.statusChanged, service_library.libraryChanged],
                           timeout=TIMEOUT):
        summary = _learn(qtbot, service)
    qtbot.waitUntil(lambda: busy == [True, False], timeout=TIMEOUT)
    assert isinstance(summary, LearnSummary) and summary.examples == {NEW_GENRE: 25}
    assert all(isinstance(p, LearnProgress) for p in progress)
    stages = [p.stage for p in progress]
    assert stages[0] == "Collecting your corrections" and any(p.total == len(library.genres) for p in progress)
    assert settings.use_personal_model and service.enabled
    assert _sources(library.db_path).get("personal model", 0) == summary.decided_by_personal > 0
    status = service.status()
    assert status.exists and status.usable and status.enabled and status.corrections_since == 0


def test_bundled_only_and_back_repredict_in_the_background(qtbot, env):
    service, _, settings, saved, library = env
    library.label(library.ids(SOURCE_GENRE), NEW_GENRE)
    _learn(qtbot, service)
    with qtbot.waitSignal(service.repredicted, timeout=TIMEOUT) as blocker:
        with qtbot.waitSignal(service.enabledChanged, timeout=TIMEOUT) as switched:
            service.set_enabled(False)
    assert switched.args == [False] and not settings.use_personal_model and saved.count >= 1
    outcome = blocker.args[0]
    assert isinstance(outcome, RepredictOutcome) and outcome.decided_by_personal == 0
    assert "personal model" not in _sources(library.db_path)
    assert personal_model.read_card(service.personal_dir) is not None  # kept, only unused
    assert not service.status().enabled
    with qtbot.waitSignal(service.repredicted, timeout=TIMEOUT) as blocker:
        service.set_enabled(True)
    assert blocker.args[0].decided_by_personal > 0 and _sources(library.db_path)["personal model"] > 0


def test_review_queue_arrives_as_a_signal(qtbot, env):
    service, _, _, _, library = env
    library.label(library.ids(SOURCE_GENRE), NEW_GENRE)
    _learn(qtbot, service)
    with qtbot.waitSignal(service.reviewQueueReady, timeout=TIMEOUT) as blocker:
        service.review_queue(limit=15)
    items = blocker.args[0]
    assert len(items) == 15 and not {i.track_id for i in items} & set(library.ids(SOURCE_GENRE))
    assert [i.score for i in items] == sorted((i.score for i in items), reverse=True)


def test_learning_without_corrections_fails_with_a_reason_and_saves_nothing(qtbot, env):
    service, _, _, _, _ = env
    with qtbot.waitSignal(service.failed, timeout=TIMEOUT) as blocker:
        service.learn()
    assert "no corrected tracks" in blocker.args[0]
    assert personal_model.read_card(service.personal_dir) is None
    qtbot.waitUntil(lambda: not service.is_busy, timeout=TIMEOUT)


def test_cancelled_learning_changes_nothing(qtbot, env):
    service, _, _, _, library = env
    library.label(library.ids(SOURCE_GENRE), NEW_GENRE)
    before = _sources(library.db_path)
    with qtbot.waitSignal(service.cancelled, timeout=TIMEOUT):
        service.learn()
        service.cancel()  # before the bundled model has even loaded in the worker
    assert personal_model.read_card(service.personal_dir) is None
    assert _sources(library.db_path) == before
    qtbot.waitUntil(lambda: not service.is_busy, timeout=TIMEOUT)


def test_learns_by_itself_after_enough_corrections(qtbot, env):
    service, service_library, settings, _, library = env
    settings.learn_after_corrections = 3
    reggae = library.ids(SOURCE_GENRE)
    with qtbot.waitSignal(service_library.tracksChanged, timeout=TIMEOUT):
        service_library.set_labels(reggae[:2], NEW_GENRE)
    assert not service.is_busy  # two corrections: not yet
    with qtbot.waitSignal(service.learned, timeout=TIMEOUT) as blocker:
        service_library.set_labels(reggae[2:3], NEW_GENRE)
    assert blocker.args[0].labelled == 3


def test_learning_asked_during_a_scan_waits_for_its_end(qtbot, library, personal_dir, gtzan_clips, tmp_path):
    music = tmp_path / "Music"
    music.mkdir()
    for clip in [c for c in gtzan_clips if c.suffix == ".flac"][:3]:
        shutil.copy(clip, music / clip.name)
    tasks = TaskRunner()
    service_library = LibraryService(library.db_path, library.writer, tasks)
    scanning = ScanService(library.writer, tasks, lambda: ScanOptions(jobs=1, windows_per_track=1))
    service = PersonalModelService(service_library, tasks, Settings(), Saved(), personal_dir, scanning=scanning)
    library.label(library.ids(SOURCE_GENRE), NEW_GENRE)
    order = []
    scanning.finished.connect(lambda _report: order.append("scan finished"))
    service.learned.connect(lambda _summary: order.append("learned"))
    try:
        scanning.scan([music])
        assert service.learn() and not service.is_busy  # held back, not refused
        with qtbot.waitSignal(service.learned, timeout=TIMEOUT):
            pass
        assert order == ["scan finished", "learned"]
        assert _sources(library.db_path).get("personal model", 0) > 0
    finally:
        tasks.shutdown()
        service_library.close()
