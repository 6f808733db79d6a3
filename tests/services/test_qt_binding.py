"""Guards against a Qt binding that corrupts reference counts on signal emission."""

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    fired = Signal(float)


def test_emitting_signals_keeps_python_refcounts_intact():
    # PySide6 6.12.0 returned True from emit() without a reference; after a few thousand
    # emits the interpreter aborted with "deallocating True or False".
    emitter = _Emitter()
    before = sys.getrefcount(True)
    for _ in range(1000):
        emitter.fired.emit(1.0)
    assert abs(sys.getrefcount(True) - before) < 10
