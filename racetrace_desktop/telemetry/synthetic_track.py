"""A closed synthetic circuit: straights and circular corners joined by smooth curvature transitions.

The layout is a list of straights and arcs. Corner angles are scaled so the heading turns exactly once, and
the straights are adjusted (minimum-norm change) so the outline closes on itself; the curvature is then smoothed
with a circular moving average, which keeps the total turning. Distances are metres in a local east/north frame.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# (straight before the corner in m, corner radius in m, corner angle in degrees; + = right turn)
DEFAULT_LAYOUT: tuple[tuple[float, float, float], ...] = (
    (218.0, 45.0, 60.4),  # end of the main straight: medium right
    (216.0, 160.0, 35.1),  # fast right kink
    (340.0, 28.0, 101.7),  # hairpin
    (263.0, 90.0, -51.3),  # left
    (228.0, 60.0, 62.7),
    (266.0, 260.0, 24.2),  # fast sweeper
    (166.0, 35.0, 93.9),  # tight right
    (174.0, 120.0, -31.6),  # left
    (183.0, 70.0, 64.9),  # onto the main straight
)
FINAL_STRAIGHT_M = 344.0  # from the last corner to the start/finish line
_STEP_M = 0.5
_SMOOTHING_M = 40.0
_MIN_STRAIGHT_M = 60.0


@dataclass
class TrackShape:
    """Centreline sampled every `step` metres from the start/finish line (s = 0) in the direction of travel."""

    s: np.ndarray
    x: np.ndarray
    y: np.ndarray
    heading: np.ndarray  # radians, compass convention (0 = north, clockwise), unwrapped
    curvature: np.ndarray  # 1/m, + = turning right
    length: float
    step: float

    def sample(self, sigma: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Position and heading at arc positions `sigma` (any real number; the track repeats every lap)."""
        u = np.mod(sigma, self.length)
        s_ext = np.append(self.s, self.length)
        x = np.interp(u, s_ext, np.append(self.x, self.x[0]))
        y = np.interp(u, s_ext, np.append(self.y, self.y[0]))
        h = np.interp(u, s_ext, np.append(self.heading, self.heading[0] + 2 * np.pi * _turn_sign(self)))
        return x, y, h

    def curvature_at(self, sigma: np.ndarray) -> np.ndarray:
        u = np.mod(sigma, self.length)
        return np.asarray(np.interp(u, np.append(self.s, self.length), np.append(self.curvature, self.curvature[0])))


def _turn_sign(shape: TrackShape) -> float:
    return float(np.sign(shape.heading[-1] - shape.heading[0]) or 1.0)


def build_track(length_m: float = 3700.0, layout: tuple[tuple[float, float, float], ...] = DEFAULT_LAYOUT,
                start_heading_deg: float = 20.0) -> TrackShape:
    """A closed track about `length_m` long (the layout is scaled to it)."""
    straights = np.array([seg[0] for seg in layout] + [FINAL_STRAIGHT_M])
    radii = np.array([seg[1] for seg in layout])
    angles = np.radians([seg[2] for seg in layout])
    angles *= 2 * np.pi / angles.sum()  # exactly one turn
    heading0 = np.radians(start_heading_deg)
    straights = _close_outline(straights, radii, angles, heading0)
    scale = length_m / (straights.sum() + np.sum(radii * np.abs(angles)))
    kappa = _curvature_profile(straights * scale, radii * scale, angles)
    kappa = _circular_smooth(kappa, int(_SMOOTHING_M / _STEP_M))
    return _integrate(kappa, heading0)


def _curvature_profile(straights: np.ndarray, radii: np.ndarray, angles: np.ndarray) -> np.ndarray:
    pieces = []
    for i, angle in enumerate(angles):
        pieces.append(np.zeros(round(straights[i] / _STEP_M)))
        n_arc = max(round(radii[i] * abs(angle) / _STEP_M), 1)
        pieces.append(np.full(n_arc, angle / (n_arc * _STEP_M)))  # exact turning per arc
    pieces.append(np.zeros(round(straights[-1] / _STEP_M)))
    return np.concatenate(pieces)


def _close_outline(straights: np.ndarray, radii: np.ndarray, angles: np.ndarray, heading0: float) -> np.ndarray:
    """Change the straight lengths as little as possible so the sharp-cornered outline ends where it starts."""
    end = np.zeros(2)
    directions = []
    heading = heading0
    for i in range(len(straights)):
        d = np.array([np.sin(heading), np.cos(heading)])
        directions.append(d)
        end += straights[i] * d
        if i < len(angles):
            end += _arc_chord(radii[i], heading, angles[i])
            heading += angles[i]
    a = np.array(directions).T
    delta = -np.linalg.pinv(a) @ end
    fixed = straights + delta
    if np.any(fixed < _MIN_STRAIGHT_M):
        raise ValueError("track layout cannot be closed with positive straights; adjust the corners")
    return fixed


def _arc_chord(radius: float, heading: float, angle: float) -> np.ndarray:
    """Displacement over a circular arc of `angle` radians starting at compass `heading`."""
    n = 64
    hs = heading + angle * (np.arange(n) + 0.5) / n
    length = radius * abs(angle)
    return np.array([np.sin(hs).sum(), np.cos(hs).sum()]) * length / n


def _circular_smooth(values: np.ndarray, window: int) -> np.ndarray:
    if window < 2:
        return values
    kernel = np.ones(window) / window
    padded = np.concatenate((values[-window:], values, values[:window]))
    return np.convolve(padded, kernel, mode="same")[window:-window]


def _integrate(kappa: np.ndarray, heading0: float) -> TrackShape:
    step = _STEP_M
    heading = heading0 + np.concatenate(([0.0], np.cumsum(kappa[:-1]) * step))
    mid = heading + kappa * step / 2
    dx, dy = np.sin(mid) * step, np.cos(mid) * step
    x = np.concatenate(([0.0], np.cumsum(dx)[:-1]))
    y = np.concatenate(([0.0], np.cumsum(dy)[:-1]))
    gap_x, gap_y = x[-1] + dx[-1], y[-1] + dy[-1]  # residual closure error after smoothing: spread it out
    ramp = np.arange(x.size) / x.size
    x -= ramp * gap_x
    y -= ramp * gap_y
    seg = np.hypot(np.diff(np.append(x, x[0])), np.diff(np.append(y, y[0])))
    s = np.concatenate(([0.0], np.cumsum(seg)[:-1]))
    length = float(seg.sum())
    return TrackShape(s, x, y, heading, kappa, length, step)
