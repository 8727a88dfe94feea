"""Qt tests run on the offscreen platform: no display, real widgets, real layout."""

from __future__ import annotations

import os

# Must be set before pytest-qt creates the QApplication.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
