"""Text and JSON renderings of CLI results. Lap times read as everywhere (`telemetry.display`: m:ss.mmm), distances
in metres."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from racetrace_desktop.services import library_service
from racetrace_desktop.services.library_access import Library
from racetrace_desktop.services.read_models import ConfigurationRecord, LapRecord, SessionSummary
from racetrace_desktop.telemetry import display
from racetrace_desktop.telemetry.display import lap_time

if TYPE_CHECKING:  # the compare and import machinery (numpy analysis) loads only for the commands using it
    from racetrace_desktop.services.compare_service import StoredComparison
    from racetrace_desktop.services.importer import ImportReport
    from racetrace_desktop.services.lap_bests import SessionBests
    from racetrace_desktop.telemetry.corners import Corner


def signed_seconds(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds:+.3f}"


def lap_flags(lap: LapRecord) -> str:
    flags = display.lap_flags(lap.is_outlap, lap.is_inlap, lap.is_pit)
    if not lap.is_valid:
        flags.append(f"invalid: {lap.invalid_reason}" if lap.invalid_reason else "invalid")
    return ", ".join(flags)


# --- JSON -----------------------------------------------------------------------------------------------------


def lap_json(lap: LapRecord, with_sectors: bool = True) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "lap_id": str(lap.uuid),
        "lap_number": lap.number,
        "lap_time_ms": lap.lap_time_ms,
        "time_source": str(lap.time_source),
        "is_outlap": lap.is_outlap,
        "is_inlap": lap.is_inlap,
        "is_pit": lap.is_pit,
        "is_valid": lap.is_valid,
    }
    if with_sectors:
        payload["invalid_reason"] = lap.invalid_reason
        payload["sector_times_ms"] = list(lap.sector_times_ms)
        payload["gps_time_ms"] = lap.gps_time_ms
        payload["length_m"] = lap.length_m
    return payload


def session_json(session: SessionSummary) -> dict[str, Any]:
    return {
        "session_id": str(session.uuid),
        "file": session.source_name,
        "track": session.track_name,
        "configuration": session.configuration_name,
        "recorded_at_utc": session.recorded_at_utc.isoformat() if session.recorded_at_utc else None,
        "recorded_at_local": session.recorded_at_local.isoformat() if session.recorded_at_local else None,
        "car": session.car_name,
        "event": session.event_name,
        "session_type": session.session_type,
        "laps": session.lap_count,
        "best_lap_ms": session.best_lap_ms,
        "is_public": session.is_public,
    }


def import_json(report: ImportReport, library: Library) -> dict[str, Any]:
    imported = []
    for result in report.imported:
        laps = library_service.session_laps(library, result.session_uuid) if result.session_uuid else []
        imported.append(
            {
                "session_id": str(result.session_uuid),
                "file": str(result.path),
                "track": result.track_name,
                "new_track": result.new_track,
                "warnings": list(result.warnings),
                "laps": [lap_json(lap, with_sectors=False) for lap in laps],
            }
        )
    duplicates = [{"file": str(r.path), "session_id": str(r.session_uuid)} for r in report.duplicates]
    errors = [
        {"file": r.error.file, "line": r.error.line, "message": r.error.message} for r in report.failed if r.error
    ]
    return {"imported": imported, "duplicates": duplicates, "errors": errors}


def corner_json(corner: Corner) -> dict[str, Any]:
    return {"number": corner.number, "name": corner.name, "direction": corner.direction,
            "start_m": round(corner.start_m, 1), "apex_m": round(corner.apex_m, 1), "end_m": round(corner.end_m, 1)}


def corners_json(configuration_id: int, corners: list[Corner]) -> dict[str, Any]:
    return {"track_configuration_id": configuration_id, "corners": [corner_json(c) for c in corners]}


def bests_json(bests: SessionBests) -> dict[str, Any]:
    return {"theoretical_best_ms": bests.theoretical_best_ms, "realistic_best_ms": bests.realistic_best_ms,
            "rolling_best_ms": bests.rolling_best_ms, "realistic_best_laps": list(bests.realistic_laps),
            "realistic_tolerance_kmh": bests.tolerance_kmh}


def compare_json(result: StoredComparison) -> dict[str, Any]:
    from racetrace_desktop.telemetry.corner_figures import report_json

    return {
        "reference_lap_id": str(result.reference.uuid),
        "distance_m": result.distance_m.round(3).tolist(),
        "sector_boundaries_m": [round(b, 3) for b in result.sector_boundaries_m],
        "max_gate_error_s": result.max_gate_error_s,
        "laps": [
            {
                **lap_json(item.lap, with_sectors=False),
                "session_id": str(item.lap.session_uuid),
                "is_reference": item.lap.uuid == result.reference.uuid,
                "delta_at_finish_s": item.delta_s[-1].item() if item.delta_s.size else None,
                "sector_deltas_s": item.sector_deltas_s,
                "delta_s": item.delta_s.round(4).tolist(),
                "delta_sigma_s": result.result.delta_sigma_s[key].round(4).tolist(),  # 1-sigma uncertainty
            }
            for item, key in zip(result.laps, result.result.keys, strict=True)
        ],
        **report_json(result.corners, {str(item.lap.uuid): item.corners for item in result.laps},
                      {str(item.lap.uuid): item.hints for item in result.laps}),
    }


# --- text -----------------------------------------------------------------------------------------------------


def import_text(report: ImportReport, library: Library) -> str:
    lines: list[str] = []
    for result in report.imported:
        track = result.track_name or "unknown track"
        lines.append(f"imported {result.path.name}: session {result.session_uuid} at {track}")
        for lap in library_service.session_laps(library, result.session_uuid) if result.session_uuid else []:
            flags = lap_flags(lap)
            lines.append(f"  lap {lap.number:>2}  {lap_time(lap.lap_time_ms):>10}  {lap.uuid}  {flags}".rstrip())
        lines.extend(f"  warning: {warning}" for warning in result.warnings)
    for result in report.duplicates:
        lines.append(f"duplicate {result.path.name}: duplicate of session {result.session_uuid}")
    for result in report.failed:
        lines.append(f"error {result.error}")
    summary = f"{len(report.imported)} imported, {len(report.duplicates)} duplicates, {len(report.failed)} errors"
    return "\n".join([*lines, summary])


def sessions_text(sessions: list[SessionSummary]) -> str:
    if not sessions:
        return "The library is empty. Import files with `racetrace import FILE...` or try `racetrace demo`."
    header = f"{'session':36}  {'date':16}  {'track':28}  {'laps':>4}  {'best':>9}  public"
    rows = [header]
    for s in sessions:
        moment = s.recorded_at_local or s.recorded_at_utc
        when = moment.strftime("%Y-%m-%d %H:%M") if moment else "-"
        public = "yes" if s.is_public else ""
        track = (s.track_name or "-")[:28]
        rows.append(f"{s.uuid!s:36}  {when:16}  {track:28}  {s.lap_count:>4}  {lap_time(s.best_lap_ms):>9}  {public}")
    return "\n".join(rows)


def laps_text(session: SessionSummary, laps: list[LapRecord], bests: SessionBests | None = None) -> str:
    best = min((lap.lap_time_ms for lap in laps if lap.is_valid and lap.lap_time_ms), default=None)
    rows = [f"{session.source_name} - {session.track_name or 'unknown track'}"]
    for lap in laps:
        gap = "" if best is None or lap.lap_time_ms is None else f"{(lap.lap_time_ms - best) / 1000:+.3f}"
        sectors = "  ".join(lap_time(s) for s in lap.sector_times_ms)
        rows.append(
            f"  lap {lap.number:>2}  {lap_time(lap.lap_time_ms):>10}  {gap:>8}  [{sectors}]  {lap.uuid}  "
            f"{lap_flags(lap)}".rstrip()
        )
    if bests is not None:
        rows.append(f"  theoretical best (best sectors)  {lap_time(bests.theoretical_best_ms):>10}")
        used = f"  laps {', '.join(str(n) for n in bests.realistic_laps)}" if bests.realistic_laps else ""
        rows.append(f"  realistic best (corner segments, speeds within {bests.tolerance_kmh:g} km/h)  "
                    f"{lap_time(bests.realistic_best_ms):>10}{used}")
        rows.append(f"  rolling best (consecutive corner segments)  {lap_time(bests.rolling_best_ms):>10}")
    return "\n".join(rows)


def compare_text(result: StoredComparison) -> str:
    ref = result.reference
    rows = [f"reference: lap {ref.number} {lap_time(ref.lap_time_ms)} ({ref.uuid})"]
    for item in result.laps:
        if item.lap.uuid == ref.uuid:
            continue
        sectors = "  ".join(signed_seconds(d) for d in item.sector_deltas_s)
        finish = signed_seconds(item.delta_s[-1].item() if item.delta_s.size else None)
        rows.append(
            f"  lap {item.lap.number:>2} {lap_time(item.lap.lap_time_ms):>10}  delta {finish}  sectors [{sectors}]"
        )
    if result.max_gate_error_s is not None:
        rows.append(f"delta-T checked against split times: max error {result.max_gate_error_s:.3f} s")
    rows += _corner_table(result)
    return "\n".join(rows)


def _kmh(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def _corner_table(result: StoredComparison) -> list[str]:
    """Per lap: its corners ranked by time lost against the reference, then its hints."""
    if not result.corners:
        return ["no corners known for this track configuration"]
    rows: list[str] = []
    for item in result.laps:
        if item.lap.uuid == result.reference.uuid:
            continue
        rows.append(f"lap {item.lap.number}: corners by time lost (delta s, entry/min/exit km/h, brake m to apex)")
        order = sorted(range(len(result.corners)), key=lambda i: item.corners[i].delta_s, reverse=True)
        for i in order:
            c, f = result.corners[i], item.corners[i]
            brake = "-" if f.brake_m is None else f"{f.brake_m:+.0f}"
            rows.append(f"  {c.name:>12} {c.direction}  {f.delta_s:+.3f}  {_kmh(f.entry_kmh):>4}/{_kmh(f.min_kmh):>4}/"
                        f"{_kmh(f.exit_kmh):>4}  brake {brake:>5}")
        rows.extend(f"  hint: {text}" for text in item.hints)
    return rows


def corners_text(configuration: ConfigurationRecord, corners: list[Corner]) -> str:
    rows = [f"{configuration.track_name} ({configuration.name}), configuration {configuration.id}: "
            f"{len(corners)} corners"]
    for c in corners:
        rows.append(f"  {c.number:>2} {c.name:>14} {c.direction}  start {c.start_m:7.1f}  apex {c.apex_m:7.1f}  "
                    f"end {c.end_m:7.1f} m")
    return "\n".join(rows)
