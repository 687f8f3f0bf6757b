"""The live COP path drawing: where the dots go, the scale, an empty plate."""

from __future__ import annotations

from kiosk.ui.cop import BRAILLE, braille_path, path_span_mm


def lit(drawing: str) -> set[tuple[int, int]]:
    """The (row, column) cells with at least one dot."""
    return {(r, c) for r, line in enumerate(drawing.splitlines())
            for c, char in enumerate(line) if ord(char) != BRAILLE}  # fmt: skip


def test_a_side_to_side_sway_is_a_horizontal_line_through_the_middle() -> None:
    drawing = braille_path([(-10.0, 0.0), (10.0, 0.0)], columns=10, rows=4)
    assert len(drawing.splitlines()) == 4
    assert all(len(line) == 10 for line in drawing.splitlines())
    assert {c for _r, c in lit(drawing)} == set(range(10))  # from edge to edge
    assert len({r for r, _c in lit(drawing)}) == 1  # one row
    assert {r for r, _c in lit(drawing)} <= {1, 2}  # in the middle


def test_forward_is_up_and_right_is_right() -> None:
    drawing = braille_path([(-10.0, -10.0), (10.0, 10.0)], columns=10, rows=4)
    assert (0, 9) in lit(drawing)  # the forward-right end is in the top-right cell
    assert (3, 0) in lit(drawing)  # the back-left start is bottom-left
    assert (3, 9) not in lit(drawing)
    assert (0, 0) not in lit(drawing)


def test_the_scale_grows_in_steps_and_an_empty_plate_is_blank() -> None:
    assert path_span_mm([(0.0, 0.0), (4.0, -3.0)]) == 10.0
    assert path_span_mm([(0.0, 0.0), (0.0, 31.0)]) == 20.0  # ±15.5 mm around the mean
    assert path_span_mm([]) == 10.0
    assert lit(braille_path([])) == set()
