"""Edits of a configuration's corners by the driver: rename, add, delete, move the apex, split, merge.

Every edit returns the whole list renumbered in driving order (names the driver gave are kept) and refuses, with
a message naming the corner, what would leave corners overlapping or an apex outside its corner.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .corners import STRAIGHT_CURVATURE, Corner, ReferencePath, renumber

_MIN_HALF_M = 10.0


def _find(corners: list[Corner], number: int) -> Corner:
    for corner in corners:
        if corner.number == number:
            return corner
    raise ValueError(f"there is no corner {number} (corners 1-{len(corners)})")


def _others(corners: list[Corner], number: int) -> list[Corner]:
    return [c for c in corners if c.number != number]


def rename_corner(corners: list[Corner], number: int, name: str) -> list[Corner]:
    if not name.strip():
        raise ValueError(f"corner {number}: a name cannot be empty")
    target = _find(corners, number)
    return renumber([*_others(corners, number), replace(target, name=name.strip())])


def delete_corner(corners: list[Corner], number: int) -> list[Corner]:
    _find(corners, number)
    return renumber(_others(corners, number))


def add_corner(corners: list[Corner], path: ReferencePath, apex_m: float) -> list[Corner]:
    """A corner around `apex_m`: as far as the path bends that way, within the straights beside it."""
    if not 0 <= apex_m <= path.length_m:
        raise ValueError(f"apex {apex_m:.0f} m is not on the lap (0-{path.length_m:.0f} m)")
    for corner in corners:
        if corner.start_m <= apex_m <= corner.end_m:
            raise ValueError(f"{apex_m:.0f} m is inside corner {corner.number} ({corner.name}): split it instead")
    before = max((c.end_m for c in corners if c.end_m < apex_m), default=0.0)
    after = min((c.start_m for c in corners if c.start_m > apex_m), default=path.length_m)
    start, end = _bend_extent(path, apex_m, before, after)
    new = _corner_on(path, start, apex_m, end, name="")
    return renumber([*corners, new])


def move_apex(corners: list[Corner], path: ReferencePath, number: int, apex_m: float) -> list[Corner]:
    target = _find(corners, number)
    if not target.start_m <= apex_m <= target.end_m:
        raise ValueError(f"corner {number}: the apex must stay between its start {target.start_m:.0f} m and end "
                         f"{target.end_m:.0f} m")
    lat, lon = path.latlon_at(apex_m)
    return renumber([*_others(corners, number), replace(target, apex_m=apex_m, apex_lat=lat, apex_lon=lon)])


def split_corner(corners: list[Corner], path: ReferencePath, number: int, at_m: float) -> list[Corner]:
    """Two corners meeting at `at_m`, each with its apex at its own tightest part."""
    target = _find(corners, number)
    if not target.start_m + _MIN_HALF_M <= at_m <= target.end_m - _MIN_HALF_M:
        raise ValueError(f"corner {number}: split point {at_m:.0f} m must be inside it, at least {_MIN_HALF_M:.0f} m "
                         f"from its start and end")
    first = _corner_on(path, target.start_m, _tightest(path, target.start_m, at_m), at_m, target.name)
    second = _corner_on(path, at_m, _tightest(path, at_m, target.end_m), target.end_m, "")
    return renumber([*_others(corners, number), first, second])


def merge_corners(corners: list[Corner], number: int) -> list[Corner]:
    """Corner `number` and the one after it become one (a double apex): the apex of the tighter is kept."""
    first = _find(corners, number)
    second = _find(corners, number + 1) if number < len(corners) else None
    if second is None:
        raise ValueError(f"corner {number} is the last one: there is no next corner to merge it with")
    merged = replace(first, end_m=second.end_m)
    rest = [c for c in corners if c.number not in (number, number + 1)]
    return renumber([*rest, merged])


def _tightest(path: ReferencePath, start_m: float, end_m: float) -> float:
    inside = (path.distance_m >= start_m) & (path.distance_m <= end_m)
    return float(path.distance_m[inside][np.argmax(np.abs(path.curvature[inside]))])


def _bend_extent(path: ReferencePath, apex_m: float, before_m: float, after_m: float) -> tuple[float, float]:
    i = int(np.clip(np.searchsorted(path.distance_m, apex_m), 0, path.distance_m.size - 1))
    sign = np.sign(path.curvature[i]) or 1.0
    bending = sign * path.curvature > STRAIGHT_CURVATURE / 3
    lo, hi = i, i
    while lo > 0 and bending[lo - 1] and path.distance_m[lo - 1] > before_m:
        lo -= 1
    while hi < bending.size - 1 and bending[hi + 1] and path.distance_m[hi + 1] < after_m:
        hi += 1
    start = max(min(float(path.distance_m[lo]), apex_m - _MIN_HALF_M), before_m)
    end = min(max(float(path.distance_m[hi]), apex_m + _MIN_HALF_M), after_m)
    return start, end


def _corner_on(path: ReferencePath, start_m: float, apex_m: float, end_m: float, name: str) -> Corner:
    inside = (path.distance_m >= start_m) & (path.distance_m <= end_m)
    direction = "R" if path.curvature[inside].sum() > 0 else "L"
    lat, lon = path.latlon_at(apex_m)
    return Corner(0, name, direction, start_m, apex_m, end_m, lat, lon, path.length_m)
