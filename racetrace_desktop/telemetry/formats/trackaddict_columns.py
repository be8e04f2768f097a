"""TrackAddict header -> structural columns and channels (stable keys, SI units, display units, sentinels).

Columns are matched by name, case-insensitively, never by position: `<base> (<unit>) *<TAG>`. The unit comes
from the `(unit)` suffix; `*OBD` is a source tag. Metric/imperial twins ("Altitude (m)" + "Altitude (ft)")
become one channel. Any column the table does not know is kept as a channel keyed by a slug of its name.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from racetrace_desktop.telemetry import units
from racetrace_desktop.telemetry.model import ChannelInfo

# Columns that become RawSession fields rather than channels.
STRUCTURAL = {
    "time": "time",
    "utc time": "utc",
    "lap": "lap",
    "gps_update": "gps_update",
    "latitude": "lat",
    "longitude": "lon",
    "obd_update": "obd_update",
}

# Sentinel rules (trackaddict-format.md §4, §7.6).
MINUS_ONE = "minus_one"  # -1 = invalid (Heading)
ZERO = "zero"  # 0 = unavailable (Predicted ...)
ALL_ZERO = "all_zero"  # a column of zeros = no sensor / unsupported OBD PID


@dataclass(frozen=True)
class KnownChannel:
    key: str
    label: str
    unit: str  # unit assumed when the name has no (unit) suffix
    source: str
    sentinel: str | None = None


_KNOWN = {
    "predicted lap time": KnownChannel("predicted_lap_time", "Predicted lap time", "s", "derived", ZERO),
    "predicted vs best lap": KnownChannel("predicted_vs_best", "Predicted vs best lap", "s", "derived", ZERO),
    "gps_delay": KnownChannel("gps_delay", "GPS delay", "s", "gps"),
    "altitude": KnownChannel("altitude", "Altitude", "m", "gps"),
    "speed": KnownChannel("speed", "Speed", "m/s", "gps"),
    "heading": KnownChannel("heading", "Heading", "deg", "gps", MINUS_ONE),
    "accuracy": KnownChannel("gps_accuracy", "GPS accuracy", "m", "gps"),
    "accel x": KnownChannel("accel_x", "Accel X", "g", "accelerometer"),
    "accel y": KnownChannel("accel_y", "Accel Y", "g", "accelerometer"),
    "accel z": KnownChannel("accel_z", "Accel Z", "g", "accelerometer"),
    "brake": KnownChannel("brake_calc", "Brake (calculated)", "", "derived"),
    "barometric pressure": KnownChannel("baro_pressure", "Barometric pressure", "Pa", "file", ALL_ZERO),
    "pressure altitude": KnownChannel("pressure_altitude", "Pressure altitude", "m", "file", ALL_ZERO),
    "engine speed": KnownChannel("rpm", "Engine speed", "rpm", "obd"),
    "vehicle speed": KnownChannel("obd_speed", "Vehicle speed (OBD)", "m/s", "obd"),
    "throttle position": KnownChannel("throttle", "Throttle position", "%", "obd"),
    "engine coolant temp": KnownChannel("coolant_temp", "Coolant temperature", "C", "obd"),
    "intake air temp": KnownChannel("intake_temp", "Intake air temperature", "C", "obd"),
    "intake manifold pressure": KnownChannel("manifold_pressure", "Intake manifold pressure", "Pa", "obd"),
}

_NAME = re.compile(r"^\s*(?P<base>.*?)\s*(?:\((?P<unit>[^()]*)\))?\s*(?P<tag>\*\S+)?\s*$")


@dataclass(frozen=True)
class ColumnName:
    base: str
    unit: str | None
    tag: str | None

    @property
    def is_obd(self) -> bool:
        return (self.tag or "").lower() == "*obd"


def split_name(name: str) -> ColumnName:
    """'Engine Coolant Temp (F) *OBD' -> ('Engine Coolant Temp', 'F', '*OBD')."""
    match = _NAME.match(name)
    if match is None or not match["base"]:
        return ColumnName(name.strip(), None, None)
    return ColumnName(match["base"], match["unit"], match["tag"])


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


@dataclass
class ChannelPlan:
    """One channel: which column it is read from and how its values become SI."""

    column: int
    info: ChannelInfo
    unit: units.Unit | None  # None = values kept as written
    sentinel: str | None


@dataclass
class ColumnLayout:
    names: list[str]
    structural: dict[str, int] = field(default_factory=dict)  # "time", "utc", ... -> column index
    channels: list[ChannelPlan] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)  # structural columns that appear twice



@dataclass
class _Candidate:
    column: int
    name: ColumnName
    known: KnownChannel | None
    unit: units.Unit | None


# Columns whose unit tells the user's unit system (Altitude is always written in both m and ft).
_SYSTEM_HINTS = ("speed", "vehicle speed", "barometric pressure", "engine coolant temp", "intake air temp")


def unit_system_of(names: Sequence[str]) -> str | None:
    """METRIC or IMPERIAL as shown by the speed/pressure/temperature column units, None if nothing tells."""
    for hint in _SYSTEM_HINTS:
        for name in names:
            parsed = split_name(name)
            system = units.unit_system(parsed.unit or "") if parsed.base.lower() == hint else None
            if system:
                return system
    return None


def plan_columns(names: Sequence[str], preferred_system: str) -> ColumnLayout:
    layout = ColumnLayout(list(names))
    groups: dict[str, list[_Candidate]] = {}
    for index, name in enumerate(names):
        parsed = split_name(name)
        role = STRUCTURAL.get(parsed.base.lower()) if not parsed.tag else None
        if role is not None:
            if role in layout.structural:
                layout.duplicates.append(name)
            else:
                layout.structural[role] = index
            continue
        candidate = _candidate(index, parsed)
        groups.setdefault(_group_key(candidate, groups), []).append(candidate)
    layout.channels = [_plan(key, group, preferred_system) for key, group in groups.items()]
    return layout


def _candidate(index: int, name: ColumnName) -> _Candidate:
    known = _KNOWN.get(name.base.lower())
    unit = units.lookup(name.unit) if name.unit else None
    if unit is None and known is not None and known.unit:
        unit = units.lookup(known.unit)
    return _Candidate(index, name, known, unit)


def _group_key(candidate: _Candidate, groups: dict[str, list[_Candidate]]) -> str:
    """Twins (same base, same quantity) share a key; anything else that collides gets a numbered key."""
    key = candidate.known.key if candidate.known else slug(candidate.name.base) or f"column_{candidate.column + 1}"
    base, number = key, 1
    while key in groups and not _are_twins(groups[key][0], candidate):
        number += 1
        key = f"{base}_{number}"
    return key


def _are_twins(first: _Candidate, other: _Candidate) -> bool:
    return (
        first.unit is not None
        and other.unit is not None
        and first.unit.quantity == other.unit.quantity
        and first.unit.symbol != other.unit.symbol
        and first.name.base.lower() == other.name.base.lower()
    )


def _plan(key: str, group: list[_Candidate], preferred_system: str) -> ChannelPlan:
    # Read the twin already in SI (finer: "Altitude (m)" has 1 decimal, "(ft)" none); show the user's system.
    chosen = next((c for c in group if c.unit is not None and c.unit.is_si), group[0])
    shown = next((c for c in group if c.unit and units.unit_system(c.unit.symbol) == preferred_system), chosen)
    known = chosen.known
    source = "obd" if chosen.name.is_obd else (known.source if known else "file")
    if chosen.unit is not None:
        stored, display = chosen.unit.si_symbol, shown.unit.symbol if shown.unit else chosen.unit.symbol
    elif known is not None:  # e.g. "Brake (calculated)": the parenthesis is not a unit
        stored = display = known.unit
    else:
        stored = display = chosen.name.unit or ""
    info = ChannelInfo(key, known.label if known else chosen.name.base, stored, display, source)
    sentinel = known.sentinel if known else None
    if sentinel is None and source == "obd":
        sentinel = ALL_ZERO
    return ChannelPlan(chosen.column, info, chosen.unit, sentinel)


def channel_values(plan: ChannelPlan, raw: np.ndarray) -> np.ndarray:
    """SI float64 values of one channel with its sentinels replaced by NaN (`raw` is never modified)."""
    values = raw if plan.unit is None else np.asarray(plan.unit.to_si(raw))
    if plan.sentinel == MINUS_ONE:
        values = np.where(raw == -1.0, np.nan, values)
    elif plan.sentinel == ZERO:
        values = np.where(raw == 0.0, np.nan, values)
    elif plan.sentinel == ALL_ZERO and raw.size and not raw.any():
        values = np.full_like(raw, np.nan)
    return values
