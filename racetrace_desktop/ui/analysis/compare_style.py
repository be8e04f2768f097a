"""How a compare looks, on top of what it computed (Qt-free, runs in the compare worker).

Colours stay with a lap for the life of the compare (the controller hands out slots); labels name lap and session
("L4 · 15:15"); laps added on purpose despite a flag are marked; the traces carry lap time and uncertainty for the
cursor readout and the bands; GPS-bridged stretches and corners are collected for the delta plot and the map.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from racetrace_desktop.ui.analysis.corner_input import CornerInput, corners_from_compare
from racetrace_desktop.ui.map.track import TrackMarks, track_marks
from racetrace_desktop.ui.theme import lap_colour

if TYPE_CHECKING:
    from racetrace_desktop.services.read_models import LapRecord, SessionSummary
    from racetrace_desktop.ui.analysis.compare_build import CompareDisplay


@dataclass
class CompareExtras:
    flags: dict[uuid.UUID, str] = field(default_factory=dict)  # laps compared despite a flag -> the flag
    bridged_m: list[tuple[float, float]] = field(default_factory=list)
    corners: list[CornerInput] = field(default_factory=list)
    track: TrackMarks | None = None  # outline, gates, arrow and corner markers for the map


def lap_flag(record: LapRecord) -> str | None:
    """Why a lap stays out of a compare by default, or None for a valid timed lap."""
    for flagged, text in ((record.is_outlap, "out-lap"), (record.is_inlap, "in-lap"), (record.is_pit, "pit lap")):
        if flagged:
            return text
    if record.lap_time_ms is None:
        return "untimed"
    if not record.is_valid:
        return record.invalid_reason or "invalid"
    return None


def short_label(record: LapRecord, session: SessionSummary | None) -> str:
    """'L4 · 15:15': lap number and the session's local start time (what a driver calls a run)."""
    moment = (session.recorded_at_local or session.recorded_at_utc) if session else None
    return f"L{record.number} · {moment:%H:%M}" if moment else f"L{record.number}"


def style_compare(display: CompareDisplay, slots: dict[uuid.UUID, int], sessions: dict[uuid.UUID, SessionSummary],
                  flags: dict[uuid.UUID, str], dark: bool) -> CompareExtras:
    """Recolour and relabel `display` in place; return what the plots and the map add."""
    sigma = display.result.delta_sigma_s
    by_key = {trace.key: trace for trace in display.traces}
    for lap in display.laps:
        is_ref = lap.uuid == display.reference
        lap.color = lap_colour(slots.get(lap.uuid, 0), dark)
        lap.label = ("★ " if is_ref else "") + short_label(lap.record, sessions.get(lap.uuid))
        trace = by_key.get(str(lap.uuid))
        if trace is None:
            continue
        trace.color, trace.label = lap.color, lap.label
        trace.width = 1.0  # thin pens draw fastest (ten laps pan smoothly); the reference is drawn twice as wide
        trace.flagged = lap.uuid in flags
        trace.time_s = display.result.time_s.get(trace.key)
        trace.sigma_s = sigma.get(trace.key)
    shown = {lap.uuid: text for lap in display.laps if (text := flags.get(lap.uuid))}
    extras = CompareExtras(shown, bridged_stretches(display.result.distance_m, display.result.gps_gap),
                           corners_from_compare(display))
    extras.track = compare_track(display, extras.corners)
    return extras


def compare_track(display: CompareDisplay, corners: list[CornerInput]) -> TrackMarks | None:
    r = display.result
    return track_marks(r.lat, r.lon, r.distance_m, list(r.sector_boundaries_m),
                       [(c.number, c.apex_m) for c in corners])


def bridged_stretches(distance_m: np.ndarray, gaps: dict[str, np.ndarray]) -> list[tuple[float, float]]:
    """(start, end) in metres where any lap's GPS was bridged."""
    if not gaps or not len(distance_m):
        return []
    masks = [np.asarray(g, bool) for g in gaps.values() if len(g) == len(distance_m)]
    if not masks:
        return []
    bridged = np.logical_or.reduce(masks)
    edges = np.flatnonzero(np.diff(np.concatenate(([0], bridged.astype(np.int8), [0]))))
    return [(float(distance_m[a]), float(distance_m[min(b, len(distance_m)) - 1]))
            for a, b in zip(edges[::2], edges[1::2], strict=True)]
