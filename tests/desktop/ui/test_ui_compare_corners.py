"""The corner report widget on hand-built input: ranking by time lost, the differences and hints it shows, the
corner it announces on click and on next/previous."""

from __future__ import annotations

import pytest
from compare_helpers import hand_built_corners
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from racetrace_desktop.ui.analysis.corner_input import CornerInput, corners_from_compare
from racetrace_desktop.ui.analysis.corner_report import CornerReport
from racetrace_desktop.ui.units import IMPERIAL


@pytest.fixture
def report(qtbot):
    widget = CornerReport()
    qtbot.addWidget(widget)
    widget.resize(900, 240)
    widget.show()
    qtbot.waitExposed(widget)
    widget.set_corners(hand_built_corners(["ref", "lap"], 3000.0), "lap", "ref")
    return widget


def column(report: CornerReport, index: int) -> list[str]:
    return [report.item(row, index).text() for row in range(report.rowCount())]


def test_corners_are_ranked_by_time_lost_with_their_differences_and_hints(report):
    assert column(report, 0) == ["T2", "T3 Esses", "T1 Hairpin"]
    assert column(report, 1) == ["+0.300", "+0.120", "-0.050"]
    assert column(report, 2) == ["+3.6 km/h"] * 3  # entry 41 vs 40 m/s
    assert column(report, 3) == ["-3.6 km/h"] * 3  # minimum 19 vs 20 m/s
    assert column(report, 5) == ["8 m earlier"] * 3
    assert column(report, 6)[0] == "brake 8 m later into T2"
    lost, gained = report.item(0, 1).foreground().color(), report.item(2, 1).foreground().color()
    assert lost.red() > lost.green() and gained.green() > gained.red()


def test_units_follow_the_display_system(report):
    report.set_corners(hand_built_corners(["ref", "lap"], 3000.0), "lap", "ref", IMPERIAL)
    assert column(report, 2)[0] == "+2.2 mph"


def test_a_click_announces_the_corner_and_next_previous_follow_the_track(report, qtbot):
    rect = report.visualItemRect(report.item(0, 0))
    with qtbot.waitSignal(report.corner_chosen) as chosen:
        QTest.mouseClick(report.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, rect.center())
    assert chosen.args[0].number == 2
    with qtbot.waitSignal(report.corner_chosen) as chosen:
        report.step(1)
    assert chosen.args[0].number == 3
    with qtbot.waitSignal(report.corner_chosen) as chosen:
        report.step(1)  # past the last corner: back to the first
    assert chosen.args[0].number == 1
    with qtbot.waitSignal(report.corner_chosen) as chosen:
        QTest.keyClick(report, Qt.Key.Key_Up)  # the arrow keys walk the ranked rows: T1 (last row), up to T3
    assert chosen.args[0].number == 3


def test_a_lap_without_figures_shows_dashes_not_zeros(report):
    corners = hand_built_corners(["ref", "lap"], 3000.0)
    bare = [CornerInput(c.number, c.name, c.start_m, c.apex_m, c.end_m, {"ref": c.laps["ref"]}) for c in corners]
    report.set_corners(bare, "lap", "ref")
    assert set(column(report, 1)) == {"–"} and set(column(report, 5)) == {"–"}


def test_the_adapter_takes_corners_from_the_compare_and_nothing_otherwise():
    class Result:
        pass

    class Display:
        result = Result()

    display = Display()
    assert corners_from_compare(display) == []
    corners = hand_built_corners(["ref", "lap"], 3000.0)
    display.result.corners = list(reversed(corners))
    assert [c.number for c in corners_from_compare(display)] == [1, 2, 3]  # in track order
