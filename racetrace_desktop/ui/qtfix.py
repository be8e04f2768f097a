"""Work-around for a reference-count bug of PySide6 6.12.0 on Python 3.11.

Measured here: every call of a C++ method returning void (or a None-valued QVariant) drops one reference to
`None`, and every `Signal.emit()` drops one reference to `True`. Shiboken 6.12 seems to rely on the immortal
singletons of Python >= 3.12. On 3.11 the counts reach zero after some thousand calls (pyqtgraph makes hundreds
per plotted curve) and CPython aborts with "Fatal Python error: none_dealloc" / "bool_dealloc".

The fix gives None, True and False a huge reference count, which is what Python 3.12 does for them anyway
(immortal objects). They are static objects that are never freed, so nothing else changes. It is applied only
when the leak is measured, so a fixed PySide6 or a newer Python needs no change here.
"""

from __future__ import annotations

import ctypes
import sys

from PySide6.QtCore import QObject, Signal

_HEADROOM = 1 << 48  # far beyond any number of calls a process makes; far below the Py_ssize_t limit


class _Probe(QObject):
    fired = Signal()


def singletons_leak() -> bool:
    """True when PySide6 drops references to None or True (measured on a throw-away QObject)."""
    probe = _Probe()
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(32):
        probe.setObjectName("probe")
        probe.fired.emit()
    return sys.getrefcount(None) < none_before - 16 or sys.getrefcount(True) < true_before - 16


def install_refcount_fix() -> bool:
    """Make None/True/False effectively immortal if PySide6 leaks them; returns whether the fix was applied."""
    if sys.version_info >= (3, 12) or not singletons_leak():
        return False
    for singleton in (None, True, False):
        refcount = ctypes.c_ssize_t.from_address(id(singleton))  # ob_refcnt is the first field of every object
        if refcount.value < _HEADROOM:
            refcount.value += _HEADROOM
    return True
