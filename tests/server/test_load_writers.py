"""Writers queue in arrival order, and a push planned outside the write lock still never overwrites a concurrent
edit (issue 13, "Load").

A push plans and checks its chunk while reading, then waits for its writers' turn (db.WriterQueue) and the
revision-counter lock, and re-reads the revisions of its records: an edit committed by another desktop in
between turns the push into a 409 conflict, exactly as if it had arrived later.
"""

from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import select, update

from sync_server.app import create_app
from sync_server.db import WriterQueue, writer_queue
from sync_server.errors import ServiceUnavailableError
from sync_server.models import DrivingSession
from sync_server.sync import revisions

from .conftest import Api, server_settings
from .live_server import serve
from .records import lap, session

ANSWER_TIMEOUT_S = 60.0
WAIT_FOR_QUEUE_S = 30.0


def _until(condition: object, what: str) -> None:
    """Poll a condition that another thread makes true (bounded: the test fails rather than hangs)."""
    deadline = time.monotonic() + WAIT_FOR_QUEUE_S
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.01)


def test_writers_get_their_turn_in_the_order_they_arrived() -> None:
    queue = WriterQueue(timeout_s=WAIT_FOR_QUEUE_S)
    queue.acquire()
    served: list[int] = []

    def writer(index: int) -> None:
        queue.acquire()
        served.append(index)
        queue.release()

    threads = []
    for index in range(8):
        thread = threading.Thread(target=writer, args=(index,))
        thread.start()
        threads.append(thread)
        _until(lambda index=index: queue.waiting == index + 1, f"writer {index} queues")
    queue.release()
    for thread in threads:
        thread.join()
    assert served == list(range(8))


def test_a_writer_that_waits_too_long_is_told_the_server_is_busy_and_the_queue_goes_on() -> None:
    queue = WriterQueue(timeout_s=0.2)
    queue.acquire()
    with pytest.raises(ServiceUnavailableError) as refused:
        queue.acquire()
    assert refused.value.status_code == 503
    assert refused.value.headers is not None and "Retry-After" in refused.value.headers
    assert queue.waiting == 0  # the one that gave up left the queue
    queue.release()
    queue.acquire()  # free again at once: nothing stale holds it
    queue.release()


def test_an_edit_committed_while_a_push_waited_for_its_turn_makes_that_push_a_conflict(
    api: Api, database_url: str
) -> None:
    driver = api.account("driver")
    stored = session(notes="from the laptop")
    first = api.client.post("/api/v1/sync/push", json={"records": [stored, lap(stored["id"])]},
                            headers=driver.headers).json()
    base_rev = first["results"][0]["rev"]
    queue = writer_queue(api.database.engine)
    assert queue is not None
    app = create_app(server_settings(database_url), database=api.database)
    with serve(app) as base_url, ThreadPoolExecutor(1) as pool:
        with api.database.write_sessions() as other_desktop:
            revisions.lock_counter(other_desktop)  # another writer holds the turn and the counter lock
            edit = session(stored["id"], base_rev=base_rev, notes="from the home desktop")

            def push_edit() -> httpx.Response:
                with httpx.Client(base_url=base_url, timeout=ANSWER_TIMEOUT_S) as client:
                    return client.post("/api/v1/sync/push", json={"records": [edit]}, headers=driver.headers)

            answer = pool.submit(push_edit)
            _until(lambda: queue.waiting == 1, "the push has planned and waits for its turn")
            other_desktop.execute(
                update(DrivingSession)
                .where(DrivingSession.id == uuid.UUID(stored["id"]))
                .values(notes="from the tablet", rev=revisions.allocate(other_desktop, 1)[0])
            )
            other_desktop.commit()
        response = answer.result()

    assert response.status_code == 409, response.text
    conflict = response.json()["conflicts"][0]
    assert conflict["reason"] == "edited_on_server"
    assert conflict["server"]["data"]["notes"] == "from the tablet"
    with api.database.sessions() as db:
        notes = db.scalar(select(DrivingSession.notes).where(DrivingSession.id == uuid.UUID(stored["id"])))
    assert notes == "from the tablet"
