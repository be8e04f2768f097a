"""The corners a synthetic track really has: the middle of each arc of its layout (synthetic_track builds it)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from racetrace_desktop.telemetry import synthetic_track as st


@dataclass(frozen=True)
class TrueCorner:
    apex_m: float  # centreline distance from the start/finish line
    direction: str  # "L" or "R"


def known_corners(length_m: float = 3700.0, layout: tuple[tuple[float, float, float], ...] = st.DEFAULT_LAYOUT,
                  start_heading_deg: float = 20.0) -> list[TrueCorner]:
    """Recomputes build_track's straights and scale, then walks the layout: straight, arc, straight, arc..."""
    straights = np.array([seg[0] for seg in layout] + [st.FINAL_STRAIGHT_M])
    radii = np.array([seg[1] for seg in layout])
    angles = np.radians([seg[2] for seg in layout])
    angles *= 2 * np.pi / angles.sum()
    straights = st._close_outline(straights, radii, angles, np.radians(start_heading_deg))
    scale = length_m / (straights.sum() + np.sum(radii * np.abs(angles)))
    out, position = [], 0.0
    for straight, radius, angle in zip(straights[:-1] * scale, radii * scale, angles, strict=True):
        position += straight
        arc = radius * abs(angle)
        out.append(TrueCorner(position + arc / 2, "R" if angle > 0 else "L"))
        position += arc
    return out
