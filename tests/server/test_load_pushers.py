"""Many desktops syncing at once against a real server process on loopback (issue 13, "Load").

More concurrent pushers than the server has worker threads: every push is answered (no hang, no 5xx, no
"database is locked"), and every acknowledged record is stored with the acknowledged revision. Failed sign-ins
in the same crowd count exactly, each in its own short transaction.
"""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
from sqlalchemy import select

from sync_server.app import create_app
from sync_server.models import Lap, User

from .conftest import Api, server_settings
from .live_server import serve
from .records import lap, session

PUSHERS = 50  # more than the 40 threads FastAPI runs sync endpoints on
CHUNKS = 3
CHUNK_RECORDS = 60
ANSWER_TIMEOUT_S = 60.0  # far above any queueing at this load: reaching it means the server hung


def _sessions(count: int) -> list[list[list[dict]]]:
    pushes = []
    for _ in range(count):
        s = session()
        records = [s, *[lap(s["id"], n) for n in range(1, CHUNKS * CHUNK_RECORDS)]]
        pushes.append([records[i : i + CHUNK_RECORDS] for i in range(0, len(records), CHUNK_RECORDS)])
    return pushes


def test_fifty_concurrent_pushers_are_all_answered_and_every_acknowledged_write_is_stored(
    api: Api, database_url: str
) -> None:
    tokens = [api.account(f"driver{n}").headers for n in range(5)]
    pushes = _sessions(PUSHERS)
    app = create_app(server_settings(database_url), database=api.database)
    with serve(app) as base_url:

        def one_desktop(index: int) -> list[tuple[int, dict]]:
            answers = []
            with httpx.Client(base_url=base_url, timeout=ANSWER_TIMEOUT_S) as client:
                for chunk in pushes[index]:
                    response = client.post("/api/v1/sync/push", json={"records": chunk}, headers=tokens[index % 5])
                    answers.append((response.status_code, response.json()))
                health = client.get("/health")
                answers.append((health.status_code, health.json()))
            return answers

        with ThreadPoolExecutor(PUSHERS) as pool:
            answers = [answer for desktop in pool.map(one_desktop, range(PUSHERS)) for answer in desktop]

    statuses = sorted({status for status, _ in answers})
    assert statuses == [200], [body for status, body in answers if status != 200][:3]
    acknowledged = {r["id"]: r["rev"] for _, body in answers for r in body.get("results", [])}
    assert len(acknowledged) == PUSHERS * CHUNKS * CHUNK_RECORDS
    with api.database.sessions() as db:
        stored = {str(row_id): rev for row_id, rev in db.execute(select(Lap.id, Lap.rev))}
    laps = {record_id: rev for record_id, rev in acknowledged.items() if record_id in stored}
    assert len(laps) == PUSHERS * (CHUNKS * CHUNK_RECORDS - 1)
    assert all(stored[record_id] == rev for record_id, rev in laps.items())
    assert len(set(acknowledged.values())) == len(acknowledged)  # every write its own revision


def test_concurrent_failed_sign_ins_are_counted_exactly_and_answered(api: Api, database_url: str) -> None:
    api.register("alice")
    attempts = 30
    app = create_app(server_settings(database_url, login_max_failures=1000), database=api.database)
    with serve(app) as base_url:

        def wrong_password(index: int) -> int:
            with httpx.Client(base_url=base_url, timeout=ANSWER_TIMEOUT_S) as client:
                name = "alice" if index % 2 == 0 else f"nobody-{uuid.uuid4().hex[:8]}"
                return client.post("/api/v1/auth/login", data={"username": name, "password": "wrong"}).status_code

        with ThreadPoolExecutor(attempts) as pool:
            codes = list(pool.map(wrong_password, range(attempts)))
    assert codes == [401] * attempts
    with api.database.sessions() as db:
        counted = db.scalar(select(User.failed_login_attempts).where(User.username == "alice"))
    assert counted == attempts // 2  # no lost update: each failure is one atomic UPDATE
