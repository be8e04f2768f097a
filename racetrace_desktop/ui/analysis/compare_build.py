"""Shape the one compare of the app (services.compare_service: the configuration's sectors and corners, corner
figures and hints) for the compare view. Qt-free: runs in a worker."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import numpy as np

from racetrace_desktop.services import library_service
from racetrace_desktop.services.compare_service import (
    MissingTelemetryError,
    StoredComparison,
    TelemetryFetcher,
    compare_loaded,
    ensure_telemetry,
)
from racetrace_desktop.services.library_access import Library
from racetrace_desktop.services.read_models import LapRecord, LoadedLap, SessionSummary
from racetrace_desktop.telemetry.compare import CompareResult
from racetrace_desktop.telemetry.model import ChannelInfo
from racetrace_desktop.telemetry.realistic_best import lap_segments, realistic_best, segment_cuts
from racetrace_desktop.ui.analysis.build import lap_label
from racetrace_desktop.ui.analysis.payload import MapPayload
from racetrace_desktop.ui.map.lines import (
    DELTA_COLOURS,
    coloured_line,
    delta_legend,
    delta_rate,
    delta_rate_classes,
    merge_short_runs,
    plain_line,
)
from racetrace_desktop.ui.plots.traces import DELTA_KEY, Trace
from racetrace_desktop.ui.theme import lap_colour


@dataclass
class ComparedLap:
    uuid: uuid.UUID
    record: LapRecord
    label: str
    session_name: str
    color: str


@dataclass(frozen=True)
class RealisticSplits:
    """The realistic best (corner segments joined where their boundary speeds agree) cut at the sector lines."""

    lap_time_ms: int
    sector_times_ms: tuple[int, ...]
    lap_numbers: tuple[int, ...]  # the lap each corner segment comes from


@dataclass
class CompareDisplay:
    """Everything the compare view draws, from one compare run."""

    result: CompareResult
    laps: list[ComparedLap]
    reference: uuid.UUID
    traces: list[Trace]
    channel_info: dict[str, ChannelInfo]
    skipped: list[str] = field(default_factory=list)  # laps left out, with the reason
    stored: StoredComparison | None = None  # corners, per-lap corner figures and hints, sector deltas
    realistic: RealisticSplits | None = None  # the realistic best of the valid compared laps (needs corners)

    def hints(self, lap_uuid: uuid.UUID) -> list[str]:
        if self.stored is None:
            return []
        return next((item.hints for item in self.stored.laps if item.lap.uuid == lap_uuid), [])

    def lap(self, lap_uuid: uuid.UUID) -> ComparedLap | None:
        return next((lap for lap in self.laps if lap.uuid == lap_uuid), None)

    def finish_delta_s(self, lap_uuid: uuid.UUID) -> float:
        return self.result.finish_delta_s(str(lap_uuid))

    def sector_rows(self) -> list[tuple[str, list[int | None], int | None]]:
        """(label, sector times, lap time) per lap, then the theoretical best of these laps."""
        rows = [(lap.label, list(lap.record.sector_times_ms), lap.record.lap_time_ms) for lap in self.laps]
        count = max((len(times) for _, times, _ in rows), default=0)
        # Valid laps only, unless the driver deliberately compares nothing but invalid laps.
        pool = [lap.record for lap in self.laps if lap.record.is_valid] or [lap.record for lap in self.laps]
        bests: list[int | None] = []
        for i in range(count):
            times = [t for record in pool if i < len(record.sector_times_ms) and (t := record.sector_times_ms[i])]
            bests.append(min(times) if times else None)
        known = [b for b in bests if b is not None]
        total = sum(known) if bests and len(known) == len(bests) else None
        rows.append(("Theoretical best", bests, total))
        if self.realistic is not None:
            rows.append(("Realistic best", list(self.realistic.sector_times_ms), self.realistic.lap_time_ms))
        return rows

    def map_payload(self, focus: uuid.UUID | None) -> MapPayload:
        """Reference path coloured by where the focused lap gains (green) or loses (red) time."""
        r = self.result
        ref_line = plain_line("reference", r.lat, r.lon, "#616161", weight=3, opacity=0.7)
        if focus is None or focus == self.reference or str(focus) not in r.delta_s:
            return MapPayload([ref_line], None, r.lat, r.lon, r.distance_m)
        delta = r.delta_s[str(focus)]
        rate = np.abs(delta_rate(r.distance_m, delta))
        scale = float(np.nanpercentile(rate, 90)) if np.isfinite(rate).any() else 0.05
        scale = max(scale, 0.005)
        spacing = float(np.median(np.diff(r.distance_m))) if len(r.distance_m) > 1 else 1.0
        classes = merge_short_runs(delta_rate_classes(r.distance_m, delta, scale), max(2, round(25 / spacing)))
        line = coloured_line(f"delta-{focus}", r.lat, r.lon, classes, DELTA_COLOURS, weight=6)
        legend = delta_legend(scale)
        focused = self.lap(focus)
        legend.title = f"{focused.label if focused else 'lap'} vs reference"
        return MapPayload([line], legend, r.lat, r.lon, r.distance_m)


def compare_from_library(library: Library, lap_uuids: list[uuid.UUID], reference: uuid.UUID | None,
                         sessions: dict[uuid.UUID, SessionSummary],
                         fetch_telemetry: TelemetryFetcher | None = None) -> CompareDisplay:
    """Laps whose arrays are not on this computer (synced from another device) are downloaded with
    `fetch_telemetry` first; those that cannot be are left out, with the reason."""
    here, skipped = with_telemetry(library, lap_uuids, fetch_telemetry)
    loaded = library_service.load_laps(library, here)
    usable = []
    for item in loaded:
        if item.lap.lap_time_ms is None or item.data.row_count < 2:
            skipped.append(f"{lap_label(item.lap)}: no lap time, cannot be compared")
        else:
            usable.append(item)
    if not usable:
        raise ValueError("; ".join(skipped) if skipped else "none of the chosen laps has a lap time to compare")
    return build_compare(library, usable, reference, sessions, skipped)


def with_telemetry(library: Library, lap_uuids: list[uuid.UUID], fetch: TelemetryFetcher | None
                   ) -> tuple[list[uuid.UUID], list[str]]:
    """(laps whose arrays are here, possibly downloaded now; why the others are missing)."""
    here, missing = [], []
    for lap_uuid in lap_uuids:
        try:
            ensure_telemetry(library, [lap_uuid], fetch)
        except MissingTelemetryError as error:
            missing.append(str(error))
        else:
            here.append(lap_uuid)
    return here, missing


def build_compare(library: Library, loaded: list[LoadedLap], reference: uuid.UUID | None,
                  sessions: dict[uuid.UUID, SessionSummary], skipped: list[str] | None = None) -> CompareDisplay:
    keys = {item.lap.uuid for item in loaded}
    stored = compare_loaded(library, loaded, reference if reference in keys else None)
    result = stored.result
    ref_uuid = stored.reference.uuid
    laps, traces, infos = [], [], {}
    for index, item in enumerate(loaded):
        session = sessions.get(item.lap.uuid)
        session_name = session.source_name if session else ""
        color = lap_colour(index)
        is_ref = item.lap.uuid == ref_uuid
        label = lap_label(item.lap, "★ " if is_ref else "")
        laps.append(ComparedLap(item.lap.uuid, item.lap, label, session_name, color))
        channels = dict(result.channels.get(str(item.lap.uuid), {}))
        channels[DELTA_KEY] = result.delta_s[str(item.lap.uuid)]
        traces.append(Trace(str(item.lap.uuid), label, color, result.distance_m, channels, is_reference=is_ref))
        infos.update(item.channel_info)
    return CompareDisplay(result, laps, ref_uuid, traces, infos, list(skipped or []), stored,
                          realistic_splits(stored))


def realistic_splits(stored: StoredComparison) -> RealisticSplits | None:
    """The realistic best of the compared valid laps, with its time at each sector line; None without corners."""
    result = stored.result
    pool = [str(item.lap.uuid) for item in stored.laps if item.lap.is_valid] or list(result.keys)
    if not stored.corners or not pool:
        return None
    cuts = segment_cuts(stored.corners, float(result.distance_m[-1]))
    segments = lap_segments(result, cuts, pool)
    best = realistic_best([segments[key] for key in pool])
    if best is None:
        return None
    # Time of the joined lap at distance x: whole segments before x, then the chosen lap's time into its segment.
    starts = np.concatenate([[0.0], np.cumsum([segments[key].times_s[i] for i, key in enumerate(best.laps)])])

    def elapsed(x: float) -> float:
        i = min(int(np.searchsorted(cuts, x, side="right")) - 1, len(best.laps) - 1)
        times = result.time_s[best.laps[i]]
        into = np.interp([cuts[i], x], result.distance_m, times)
        return float(starts[i] + into[1] - into[0])

    at_lines = [elapsed(b) for b in stored.sector_boundaries_m[:-1]] + [float(starts[-1])]
    sectors = np.diff(np.round(np.array([0.0, *at_lines]) * 1000)).astype(int)
    numbers = {str(item.lap.uuid): item.lap.number for item in stored.laps}
    return RealisticSplits(round(starts[-1] * 1000), tuple(int(t) for t in sectors),
                           tuple(numbers[key] for key in best.laps))
