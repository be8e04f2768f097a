"""Geometry on a small patch of the Earth: a local metric plane, great-circle distance, directed gate lines.

A race track spans a few kilometres, so an equirectangular projection around its centre is accurate to a few
millimetres per kilometre, which is far below GPS noise and keeps every later step plain 2-D vector maths.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius (IUGG)


def haversine_m(lat1: np.ndarray | float, lon1: np.ndarray | float,
                lat2: np.ndarray | float, lon2: np.ndarray | float) -> np.ndarray:
    """Great-circle distance in metres between points given in degrees (vectorised)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlmb = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0))))


@dataclass(frozen=True)
class LocalFrame:
    """Equirectangular east/north plane in metres around (lat0, lon0)."""

    lat0: float
    lon0: float

    @classmethod
    def around(cls, lat: np.ndarray, lon: np.ndarray) -> LocalFrame:
        """A frame centred on the finite points given (the middle of their bounding box)."""
        ok = np.isfinite(lat) & np.isfinite(lon)
        if not ok.any():
            raise ValueError("no finite position to centre a local frame on")
        la, lo = lat[ok], lon[ok]
        return cls(float((la.min() + la.max()) / 2), float((lo.min() + lo.max()) / 2))

    @property
    def _scale(self) -> tuple[float, float]:
        m_per_rad = EARTH_RADIUS_M
        return m_per_rad * np.cos(np.radians(self.lat0)), m_per_rad

    def to_xy(self, lat: np.ndarray | float, lon: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
        sx, sy = self._scale
        x = np.radians(np.asarray(lon, dtype=np.float64) - self.lon0) * sx
        y = np.radians(np.asarray(lat, dtype=np.float64) - self.lat0) * sy
        return x, y

    def to_latlon(self, x: np.ndarray | float, y: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
        sx, sy = self._scale
        lat = self.lat0 + np.degrees(np.asarray(y, dtype=np.float64) / sy)
        lon = self.lon0 + np.degrees(np.asarray(x, dtype=np.float64) / sx)
        return lat, lon


def distance_m(lat: np.ndarray | float, lon: np.ndarray | float, lat0: float, lon0: float) -> np.ndarray:
    """Ground distance from (lat0, lon0); equirectangular, exact enough within a few km."""
    dy = np.radians(np.asarray(lat) - lat0) * EARTH_RADIUS_M
    dx = np.radians(np.asarray(lon) - lon0) * EARTH_RADIUS_M * np.cos(np.radians(lat0))
    return np.asarray(np.hypot(dx, dy))


def heading_to_vector(heading_deg: float) -> tuple[float, float]:
    """Unit (east, north) vector of a compass heading (0 = north, 90 = east)."""
    h = np.radians(heading_deg)
    return float(np.sin(h)), float(np.cos(h))


def vector_to_heading(east: np.ndarray | float, north: np.ndarray | float) -> np.ndarray:
    """Compass heading in [0, 360) of an (east, north) vector."""
    return np.mod(np.degrees(np.arctan2(east, north)), 360.0)


@dataclass(frozen=True)
class Gate:
    """A directed line segment across the track: crossings count only when moving along `direction`."""

    cx: float  # centre, local metres
    cy: float
    ux: float  # unit direction of travel
    uy: float
    half_width: float

    @property
    def ends(self) -> tuple[tuple[float, float], tuple[float, float]]:
        # The line runs perpendicular to the direction of travel.
        px, py = -self.uy * self.half_width, self.ux * self.half_width
        return (self.cx - px, self.cy - py), (self.cx + px, self.cy + py)


def gate_crossings(x: np.ndarray, y: np.ndarray, gate: Gate) -> tuple[np.ndarray, np.ndarray]:
    """Segments of the polyline (x, y) that cross `gate` in its direction.

    Returns (i, u): segment i runs from point i to point i + 1 and crosses at fraction u in [0, 1).
    The half-open interval makes a point lying exactly on the line count once.
    """
    (ax, ay), (bx, by) = gate.ends
    dx, dy = np.diff(x), np.diff(y)
    gx, gy = bx - ax, by - ay
    denom = dx * gy - dy * gx
    with np.errstate(divide="ignore", invalid="ignore"):
        rx, ry = ax - x[:-1], ay - y[:-1]
        u = (rx * gy - ry * gx) / denom
        w = (rx * dy - ry * dx) / denom
    forward = dx * gate.ux + dy * gate.uy > 0
    hit = forward & (denom != 0) & (u >= 0) & (u < 1) & (w >= 0) & (w <= 1)
    idx = np.flatnonzero(hit)
    return idx, u[idx]
