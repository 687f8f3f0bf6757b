"""The live centre-of-pressure path of a force plate, drawn in Braille dots.

Each character cell holds 2 × 4 dots, so a 36 × 8 cell box draws 72 × 32 points. The path is
centred on its own mean (the trainer watches the sway, not where the feet stand) and scaled to a
square span of ±``span_mm`` that grows in steps of SPAN_STEP_MM when the sway is larger, so the
scale does not jump with every frame. Forward (antero-posterior +) is up, right (medio-lateral +)
is right. Consecutive points are joined by straight lines.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from textual.widgets import Static

BRAILLE = 0x2800
# The dot bit of (column 0–1, row 0–3) within a Braille cell (Unicode Braille Patterns).
DOTS = ((0x01, 0x02, 0x04, 0x40), (0x08, 0x10, 0x20, 0x80))
SPAN_STEP_MM = 10.0
COLUMNS, ROWS = 36, 8


def path_span_mm(points: Sequence[tuple[float, float]], minimum_mm: float = 10.0) -> float:
    """Return the half-width of the square the path fits in, in steps of SPAN_STEP_MM."""
    if not points:
        return minimum_mm
    mean_ml = sum(p[0] for p in points) / len(points)
    mean_ap = sum(p[1] for p in points) / len(points)
    widest = max(max(abs(ml - mean_ml), abs(ap - mean_ap)) for ml, ap in points)
    return max(minimum_mm, SPAN_STEP_MM * math.ceil(widest / SPAN_STEP_MM))


def braille_path(
    points: Sequence[tuple[float, float]], *, columns: int = COLUMNS, rows: int = ROWS
) -> str:
    """Return the path as ``rows`` lines of ``columns`` Braille characters (blank when empty)."""
    width, height = columns * 2, rows * 4
    cells = [[0] * columns for _ in range(rows)]
    if points:
        span = path_span_mm(points)
        mean_ml = sum(p[0] for p in points) / len(points)
        mean_ap = sum(p[1] for p in points) / len(points)

        def dot(ml: float, ap: float) -> tuple[float, float]:
            x = (ml - mean_ml + span) / (2 * span) * (width - 1)
            y = (span - (ap - mean_ap)) / (2 * span) * (height - 1)
            return x, y

        previous = dot(*points[0])
        for point in points:
            current = dot(*point)
            steps = max(1, math.ceil(max(abs(current[0] - previous[0]),
                                         abs(current[1] - previous[1]))))  # fmt: skip
            for step in range(steps + 1):
                x = previous[0] + (current[0] - previous[0]) * step / steps
                y = previous[1] + (current[1] - previous[1]) * step / steps
                column, row = min(width - 1, max(0, round(x))), min(height - 1, max(0, round(y)))
                cells[row // 4][column // 2] |= DOTS[column % 2][row % 4]
            previous = current
    return "\n".join("".join(chr(BRAILLE + cell) for cell in line) for line in cells)


class CopPath(Static):
    """A plate's live COP path (``show`` it the station's latest path)."""

    DEFAULT_CSS = """
    CopPath {
        width: auto;
        height: auto;
        color: $accent;
        border: round $primary;
    }
    """

    def show(self, points: Sequence[tuple[float, float]]) -> None:
        """Draw ``points`` (ML, AP mm) and put the scale in the border title."""
        self.update(braille_path(points))
        self.border_title = f"±{path_span_mm(points):.0f} mm"
