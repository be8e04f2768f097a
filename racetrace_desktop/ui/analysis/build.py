"""Turn library laps into what the plots and the map draw. Qt-free, so it runs in a worker."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from racetrace_desktop.telemetry.model import ChannelInfo
from racetrace_desktop.ui.map.lines import (
    SPEED_COLOURS,
    Legend,
    MapLine,
    coloured_line,
    plain_line,
    speed_classes,
    speed_legend,
)
from racetrace_desktop.ui.plots.traces import DELTA_KEY, ChannelSpec, Trace
from racetrace_desktop.ui.units import display_unit, format_lap_time, speed_unit

if TYPE_CHECKING:
    from racetrace_desktop.services.read_models import LapRecord, LoadedLap

# Preferred order in the stack; any other channel follows alphabetically.
CHANNEL_ORDER = ("speed", "obd_speed", "rpm", "throttle", "gps_long_g", "gps_lat_g", "accel_x", "accel_y",
                 "accel_z", "altitude", "coolant_temp", "intake_temp", "manifold_pressure", "heading")
HIDDEN_CHANNELS = {"predicted_lap_time", "predicted_vs_best", "gps_delay", "gps_accuracy", "brake_calc"}
# Derived channels may arrive without a label or unit; these are what the plots should say.
KNOWN_CHANNELS = {"gps_long_g": ("Longitudinal g (GPS)", "g"), "gps_lat_g": ("Lateral g (GPS)", "g"),
                  "distance": ("Distance", "m"), "obd_speed": ("Speed (OBD)", "m/s")}


def describe_channel(info: ChannelInfo) -> ChannelInfo:
    """Fill a missing label or unit from KNOWN_CHANNELS."""
    known = KNOWN_CHANNELS.get(info.key)
    if known is None or (info.label != info.key and info.unit):
        return info
    return ChannelInfo(info.key, info.label if info.label != info.key else known[0], info.unit or known[1],
                       info.display_unit or known[1], info.source)


def lap_label(lap: LapRecord, prefix: str = "") -> str:
    text = f"Lap {lap.number} {format_lap_time(lap.lap_time_ms)}"
    return f"{prefix}{text}" if prefix else text


def available_channels(infos: dict[str, ChannelInfo]) -> list[ChannelInfo]:
    """Channels a user may choose, in the preferred order."""
    keys = [k for k in CHANNEL_ORDER if k in infos] + sorted(k for k in infos if k not in CHANNEL_ORDER)
    return [describe_channel(infos[k]) for k in keys if k not in HIDDEN_CHANNELS]


def channel_specs(infos: dict[str, ChannelInfo], wanted: list[str], system: str,
                  with_delta: bool = False) -> list[ChannelSpec]:
    delta = ChannelSpec(DELTA_KEY, "Δt vs reference", display_unit("s", system), zero_line=True, main=True,
                        note="above zero: slower than the reference")
    specs = [delta] if with_delta else []
    for info in available_channels(infos):
        if info.key in wanted:
            specs.append(ChannelSpec(info.key, info.label, display_unit(info.unit, system)))
    return specs


def lap_trace(loaded: LoadedLap, label: str, color: str, is_reference: bool = False) -> Trace:
    data = loaded.data
    return Trace(key=str(loaded.lap.uuid), label=label, color=color, distance_m=np.asarray(data.distance_m, float),
                 channels={k: np.asarray(v, float) for k, v in data.channels.items()}, is_reference=is_reference)


def speed_map_line(key: str, lat: np.ndarray, lon: np.ndarray, speed: np.ndarray | None,
                   system: str) -> tuple[MapLine, Legend | None]:
    """A lap coloured by speed, with its legend (in the user's units). Plain when the lap has no speed."""
    if speed is None or not np.isfinite(speed).any():
        return plain_line(key, lat, lon, "#1565c0"), None
    lo, hi = np.nanpercentile(speed, [2, 98])
    unit = speed_unit(system)
    line = coloured_line(key, lat, lon, speed_classes(speed, lo, hi), SPEED_COLOURS, weight=5)
    return line, speed_legend(float(unit.convert(lo)), float(unit.convert(hi)), unit.label)
