"""Sample-and-hold channels back to measurements: loggers repeat a GPS or OBD value on every row until the next
update arrives, which draws a staircase lagging the truth by up to one update interval. Interpolating linearly
between the update rows (in time) gives the smooth, unbiased trace drivers expect; values at update rows stay
exactly as written."""

from __future__ import annotations

import numpy as np

from .model import ChannelInfo, RawSession

MAX_UPDATE_GAP_S = 2.0  # longer silences stay held: nothing is invented across a sensor outage
# Not smooth in time (a heading wraps at 360; accuracy and delay are quality figures), or so slow that the
# staircase is invisible while storing every interpolated row would cost library space (temperatures).
NOT_INTERPOLATED = frozenset({"heading", "gps_accuracy", "gps_delay", "coolant_temp", "intake_temp"})


def interpolate_held(raw: RawSession) -> dict[str, np.ndarray]:
    """The session's channels with GPS and OBD values interpolated between their update rows."""
    masks = {"gps": raw.gps_fix, "obd": raw.obd_update}
    out = dict(raw.channels)
    for key, values in raw.channels.items():
        info: ChannelInfo | None = raw.channel_info.get(key)
        mask = masks.get(info.source) if info else None
        if mask is None or key in NOT_INTERPOLATED:
            continue
        out[key] = between_updates(raw.time_s, values, mask)
    return out


def between_updates(time_s: np.ndarray, values: np.ndarray, updates: np.ndarray) -> np.ndarray:
    """Linear interpolation in time between update rows; rows after a long gap or the last update stay held."""
    rows = np.flatnonzero(updates & np.isfinite(values))
    if rows.size < 2:
        return values
    t, v = time_s[rows], values[rows]
    t, first = np.unique(t, return_index=True)  # two updates in one instant: keep the first
    rows, v = rows[first], v[first]
    result = np.interp(time_s, t, v)
    segment = np.searchsorted(t, time_s, side="right") - 1  # the update each row follows
    inside = (segment >= 0) & (segment < t.size - 1)
    gap = np.zeros(time_s.shape, dtype=bool)
    gap[inside] = (t[segment[inside] + 1] - t[segment[inside]]) > MAX_UPDATE_GAP_S
    keep_held = ~inside | gap | ~np.isfinite(values)
    result[keep_held] = values[keep_held]
    return np.asarray(result)
