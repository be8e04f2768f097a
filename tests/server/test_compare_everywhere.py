"""One pair of laps compared through the CLI, the desktop compare service and the server endpoint: one answer."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import numpy as np
import pytest

from racetrace_desktop.cli import main
from racetrace_desktop.library import open_library
from racetrace_desktop.services import corner_service, library_service
from racetrace_desktop.services.compare_service import compare_stored_laps
from racetrace_desktop.telemetry.lap_document import encode
from racetrace_desktop.telemetry.synthetic import generate_session

from .records import lap, session
from .test_sync import push
from .test_tracks_admin import create_spa


def _cli_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    assert main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_cli_service_and_server_give_identical_traces(api, racetrace_home: Path, tmp_path: Path, capsys) -> None:
    recording = generate_session(laps=3, gps_hz=10, seed=8, line_wander_m=2.0).write(tmp_path)
    imported = _cli_json(capsys, "import", str(recording))["imported"][0]
    first, second = (next(lp for lp in imported["laps"] if lp["lap_number"] == n) for n in (1, 2))
    cli = _cli_json(capsys, "compare", first["lap_id"], second["lap_id"])

    library = open_library()
    try:
        ids = [uuid.UUID(first["lap_id"]), uuid.UUID(second["lap_id"])]
        service = compare_stored_laps(library, ids)
        loaded = library_service.load_laps(library, ids)
        corners = [c.to_json() for c in corner_service.configuration_corners(library, service.configuration_id)]
    finally:
        library.close()

    admin = api.admin()
    config = create_spa(api, admin)["configurations"][0]  # the shared configuration carries the corners
    patched = api.client.patch(f"/api/v1/admin/track-configurations/{config['id']}", json={"corners": corners},
                               headers=admin.headers)
    assert patched.status_code == 200, patched.text
    alice = api.account("alice")
    s = session(imported["session_id"], track_configuration_id=config["id"], track_configuration_version=1)
    laps = [lap(s["id"], item.lap.number, item.lap.lap_time_ms, lap_id=str(item.lap.uuid),
                length_m=item.lap.length_m, is_valid=item.lap.is_valid) for item in loaded]
    push(api, alice, s, *laps)
    for item in loaded:
        put = api.client.put(f"/api/v1/sync/laps/{item.lap.uuid}/telemetry", json=encode(item.data, item.channel_info),
                             headers=alice.headers)
        assert put.status_code == 200, put.text
    response = api.client.post("/api/v1/laps/compare", json={"lap_ids": [str(i) for i in ids], "points": None},
                               headers=alice.headers)
    assert response.status_code == 200, response.text
    server = response.json()

    assert server["reference_lap_id"] == cli["reference_lap_id"] == str(service.reference.uuid)
    assert np.allclose(server["distance_m"], service.distance_m, rtol=0, atol=1e-9)
    assert np.allclose(cli["distance_m"], service.distance_m, atol=1e-3)
    for item in service.laps:
        key = str(item.lap.uuid)
        on_server = next(lp for lp in server["laps"] if lp["lap_id"] == key)
        on_cli = next(lp for lp in cli["laps"] if lp["lap_id"] == key)
        # The server's arrays went through the telemetry document (float32 channels): equal to well below 1 ns.
        assert np.allclose(on_server["delta_s"], item.delta_s, rtol=0, atol=1e-9)
        assert np.allclose(on_cli["delta_s"], item.delta_s, rtol=0, atol=0.5e-4)  # the CLI prints 0.1 ms
    assert max(np.ptp(item.delta_s) for item in service.laps) > 0.05  # a real trace, not two identical laps
    assert server["corners"] and server["corners"] == cli["corners"] and server["hints"] == cli["hints"]
