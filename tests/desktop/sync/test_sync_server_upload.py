"""A file uploaded to the server with POST /sessions/upload (a script, another client) reaches the owner's desktop
on its next sync like any pushed session: the session on the server's track, its laps, and its lap arrays equal to
what the desktop's own import of that file stores. Against a real server process, SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import numpy as np
from conftest import PASSWORD, Server, copy_sample, signed_up, unique

from racetrace_desktop.services import library_service
from racetrace_desktop.services.importer import import_files

GOODWOOD_FILE = "Log-20220531-085930 Goodwood Motorcircuit - 2.57.527.csv"


def access_token(server: Server, username: str) -> str:
    answer = httpx.post(f"{server.url}/api/v1/auth/login",
                        data={"username": username, "password": PASSWORD, "client": "desktop"})  # fmt: skip
    answer.raise_for_status()
    return str(answer.json()["access_token"])


def test_an_uploaded_file_syncs_to_the_owners_desktop(server: Server, make_device, trackaddict_samples: Path,
                                                       tmp_path: Path) -> None:  # fmt: skip
    desktop, laptop = make_device("desktop"), make_device("laptop")
    username = signed_up(desktop, server, unique("alice"))
    content = (trackaddict_samples / "sample_02.csv").read_bytes()
    answer = httpx.post(
        f"{server.url}/api/v1/sessions/upload", files={"file": (GOODWOOD_FILE, content, "text/csv")},
        headers={"Authorization": f"Bearer {access_token(server, username)}"}, timeout=120,
    )  # fmt: skip
    assert answer.status_code == 201, answer.text
    session_uuid = uuid.UUID(answer.json()["session_id"])

    report = desktop.service.sync()

    assert report.counts.pulled >= 1 + 3
    summary = library_service.session_summary(desktop.library, session_uuid)
    assert (summary.track_name, summary.configuration_name) == ("Goodwood", "Motor Circuit")
    assert summary.source_name == GOODWOOD_FILE and summary.best_lap_ms == 177_527
    pulled_laps = library_service.session_laps(desktop.library, session_uuid)
    assert [(lap.number, lap.lap_time_ms) for lap in pulled_laps] == [(0, 123_202), (1, 177_527), (2, None)]
    fastest = next(lap for lap in pulled_laps if lap.lap_time_ms == 177_527)
    desktop.service.ensure_lap_telemetry(fastest.uuid)
    downloaded = library_service.load_lap(desktop.library, fastest.uuid).data

    signed_up(laptop, server, unique("bob"))
    laptop.service.sync()  # the same Goodwood layout, for the local import to compare against
    imported = import_files(laptop.library, [copy_sample(trackaddict_samples, "sample_02.csv", tmp_path / "b")])
    own_session = imported.results[0].session_uuid
    assert own_session is not None
    own_lap = next(lap for lap in library_service.session_laps(laptop.library, own_session)
                   if lap.lap_time_ms == 177_527)  # fmt: skip
    own = library_service.load_lap(laptop.library, own_lap.uuid).data
    assert downloaded.row_count == own.row_count
    np.testing.assert_allclose(downloaded.time_s, own.time_s, atol=1e-9)
    np.testing.assert_allclose(downloaded.distance_m, own.distance_m, atol=1e-6)
    np.testing.assert_allclose(downloaded.channels["speed"], own.channels["speed"], rtol=1e-6, equal_nan=True)

    again = desktop.service.sync()  # nothing the server made needs pushing back
    assert again.counts.pushed == 0 and desktop.service.status().pending_changes == 0
