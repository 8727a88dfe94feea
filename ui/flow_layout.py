"""A layout that puts its widgets in a row and wraps them onto more rows when the window is narrow.

Qt has no wrapping layout built in (its documentation has a "Flow Layout" example; this is the
same idea). Rows are right-aligned, like a dialog's buttons. The layout's height depends on its
width (`heightForWidth`), so a box layout around it gives it the rows it needs, and its minimum
width is only that of its widest widget: the window can shrink to a small laptop's half screen.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QMargins, QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QWidget


class FlowLayout(QLayout):
    def __init__(self, parent: QWidget | None = None, spacing: int = 12) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self.setContentsMargins(0, 0, 0, 0)

    # --- QLayout's item interface ---------------------------------------------------
    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def _live(self) -> list[QLayoutItem]:
        """The visible items. While a window is torn down, Qt may delete an item before this layout
        hears of it; asking such an item its size would raise inside Qt's own size calculation."""
        return [item for item in self._items if shiboken6.isValid(item) and not item.isEmpty()]

    # --- sizes ---------------------------------------------------------------------
    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def sizeHint(self) -> QSize:
        """Everything on one row."""
        hints = [item.sizeHint() for item in self._live()]
        width = sum(h.width() for h in hints) + self._spacing * max(0, len(hints) - 1)
        height = max((h.height() for h in hints), default=0)
        return QSize(width, height) + _size(self.contentsMargins())

    def minimumSize(self) -> QSize:
        """The widest single widget: below that, nothing can wrap any further."""
        width = max((item.minimumSize().width() for item in self._live()), default=0)
        width = max(width, max((item.sizeHint().width() for item in self._live()), default=0))
        return QSize(width, 0) + _size(self.contentsMargins())

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def rows(self, width: int) -> list[list[QLayoutItem]]:
        """How the visible items wrap at `width` (contents margins included)."""
        m = self.contentsMargins()
        room = width - m.left() - m.right()
        rows: list[list[QLayoutItem]] = [[]]
        used = 0
        for item in self._live():
            w = item.sizeHint().width()
            if rows[-1] and used + self._spacing + w > room:
                rows.append([])
                used = 0
            used += (self._spacing if rows[-1] else 0) + w
            rows[-1].append(item)
        return [row for row in rows if row]

    def _arrange(self, rect: QRect, move: bool) -> int:
        m = self.contentsMargins()
        y = rect.y() + m.top()
        right = rect.right() - m.right()
        for number, row in enumerate(self.rows(rect.width())):
            if number:
                y += self._spacing
            height = max(item.sizeHint().height() for item in row)
            x = right + 1 - sum(item.sizeHint().width() for item in row) - self._spacing * (len(row) - 1)
            for item in row:
                hint = item.sizeHint()
                if move:
                    item.setGeometry(
                        QRect(
                            QPoint(max(x, rect.x() + m.left()), y),
                            QSize(min(hint.width(), rect.width()), height),
                        )
                    )
                x += hint.width() + self._spacing
            y += height
        return y + m.bottom() - rect.y()


def _size(margins: QMargins) -> QSize:
    return QSize(margins.left() + margins.right(), margins.top() + margins.bottom())
