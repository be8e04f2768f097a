"""Circuits the app can name without a file name: a small built-in list of well-known tracks.

Each entry is a point on the circuit (the start/finish where known, else the middle of the site), accurate to a
few hundred metres. A session whose start/finish lies within `NEAR_M` of one takes its name; the closest wins.
The samples' own start/finish points are here too (Goodwood, Spreewaldring, Saint-Eustache, Willow Springs).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from racetrace_desktop.telemetry.geo import distance_m

NEAR_M = 1500.0  # a start/finish lies this close to the circuit point; a different track 2 km away stays apart


@dataclass(frozen=True)
class KnownTrack:
    name: str
    country: str
    lat: float
    lon: float


KNOWN_TRACKS: tuple[KnownTrack, ...] = (
    KnownTrack("Goodwood Motor Circuit", "GB", 50.8580, -0.7526),
    KnownTrack("Silverstone", "GB", 52.0733, -1.0147),
    KnownTrack("Brands Hatch", "GB", 51.3597, 0.2600),
    KnownTrack("Donington Park", "GB", 52.8306, -1.3797),
    KnownTrack("Oulton Park", "GB", 53.1800, -2.6136),
    KnownTrack("Snetterton", "GB", 52.4634, 0.9454),
    KnownTrack("Thruxton", "GB", 51.2077, -1.6086),
    KnownTrack("Spreewaldring", "DE", 51.9991, 13.6883),
    KnownTrack("Nürburgring", "DE", 50.3356, 6.9475),
    KnownTrack("Hockenheimring", "DE", 49.3278, 8.5656),
    KnownTrack("Sachsenring", "DE", 50.7917, 12.6886),
    KnownTrack("Lausitzring", "DE", 51.5336, 13.9286),
    KnownTrack("Motorsport Arena Oschersleben", "DE", 52.0272, 11.2797),
    KnownTrack("Circuit de Spa-Francorchamps", "BE", 50.4372, 5.9714),
    KnownTrack("Circuit Zandvoort", "NL", 52.3888, 4.5409),
    KnownTrack("Autodromo Nazionale Monza", "IT", 45.6156, 9.2811),
    KnownTrack("Autodromo Enzo e Dino Ferrari (Imola)", "IT", 44.3439, 11.7167),
    KnownTrack("Mugello Circuit", "IT", 43.9975, 11.3719),
    KnownTrack("Circuit de Barcelona-Catalunya", "ES", 41.5700, 2.2611),
    KnownTrack("Circuit de Nevers Magny-Cours", "FR", 46.8642, 3.1636),
    KnownTrack("Circuit Paul Ricard", "FR", 43.2506, 5.7917),
    KnownTrack("Red Bull Ring", "AT", 47.2197, 14.7647),
    KnownTrack("Hungaroring", "HU", 47.5789, 19.2486),
    KnownTrack("Automotodrom Brno", "CZ", 49.2031, 16.4444),
    KnownTrack("Autodrome Saint-Eustache", "CA", 45.5735, -73.9659),
    KnownTrack("Circuit Mont-Tremblant", "CA", 46.1889, -74.6114),
    KnownTrack("Canadian Tire Motorsport Park", "CA", 44.0528, -78.6756),
    KnownTrack("Willow Springs International Raceway", "US", 34.8715, -118.2637),
    KnownTrack("WeatherTech Raceway Laguna Seca", "US", 36.5843, -121.7535),
    KnownTrack("Sonoma Raceway", "US", 38.1611, -122.4547),
    KnownTrack("Thunderhill Raceway Park", "US", 39.5394, -122.3311),
    KnownTrack("Buttonwillow Raceway Park", "US", 35.4894, -119.5442),
    KnownTrack("Road Atlanta", "US", 34.1469, -83.8151),
    KnownTrack("Lime Rock Park", "US", 41.9284, -73.3817),
    KnownTrack("Watkins Glen International", "US", 42.3369, -76.9272),
    KnownTrack("Road America", "US", 43.7972, -87.9897),
    KnownTrack("Sebring International Raceway", "US", 27.4547, -81.3483),
    KnownTrack("Circuit of the Americas", "US", 30.1328, -97.6411),
)

_LATS = np.array([t.lat for t in KNOWN_TRACKS])
_LONS = np.array([t.lon for t in KNOWN_TRACKS])


def known_track_near(lat: float, lon: float, within_m: float = NEAR_M) -> KnownTrack | None:
    """The closest known circuit to a point, if it lies within `within_m`."""
    if not (np.isfinite(lat) and np.isfinite(lon)):
        return None
    # distance_m is equirectangular around (lat, lon): fine for the few km that matter here.
    gaps = distance_m(_LATS, _LONS, lat, lon)
    nearest = int(np.argmin(gaps))
    return KNOWN_TRACKS[nearest] if float(gaps[nearest]) <= within_m else None
