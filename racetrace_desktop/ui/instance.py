"""One window per library: a second `racetrace FILE` hands its files to the running window and exits.

The running window listens on a local socket (QLocalServer) named after its library. A new instance first tries
to connect; when someone answers, it sends the files as one JSON line, waits for "ok" and exits; the running
window imports them, comes to the front and shows the new session.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import logging
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from racetrace_desktop import paths

log = logging.getLogger(__name__)
CONNECT_MS = 400  # a live window answers at once; a stale socket file fails immediately
REPLY_MS = 5_000
MAX_MESSAGE = 1 << 20  # a list of paths, never more


def server_name(library_path: Path | None) -> str:
    """The socket name for a library: same library, same name (per user); the default library has its own."""
    key = str(library_path.resolve()) if library_path is not None else f"default:{paths.data_dir()}"
    digest = hashlib.sha256(f"{_user()}|{key}".encode()).hexdigest()[:20]
    return f"racetrace-{digest}"


def _user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no user name in a bare container
        return "user"


def hand_over(name: str, files: list[Path]) -> bool:
    """Send `files` to the window already running on this library. False when there is none (start one)."""
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(CONNECT_MS):
        return False
    message = json.dumps({"files": [str(f.resolve()) for f in files]}) + "\n"
    socket.write(message.encode("utf-8"))
    socket.flush()
    socket.waitForBytesWritten(REPLY_MS)
    answered = socket.waitForReadyRead(REPLY_MS) and bytes(socket.readAll().data()).startswith(b"ok")
    socket.disconnectFromServer()
    return answered


class InstanceServer(QObject):
    """Listens for later instances; `files_received(list[Path])` (possibly empty: "just come to the front")."""

    files_received = Signal(list)

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self.server.newConnection.connect(self._accept)
        self._buffers: dict[QLocalSocket, bytes] = {}

    def listen(self) -> bool:
        if self.server.listen(self.name):
            return True
        # A socket file left by a crashed window: nobody answered hand_over, so it is safe to replace.
        QLocalServer.removeServer(self.name)
        if self.server.listen(self.name):
            return True
        log.warning("cannot listen for other instances on %s: %s", self.name, self.server.errorString())
        return False

    def close(self) -> None:
        self.server.close()

    def _accept(self) -> None:
        while self.server.hasPendingConnections():
            socket = self.server.nextPendingConnection()
            self._buffers[socket] = b""
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(lambda s=socket: self._forget(s))

    def _read(self, socket: QLocalSocket) -> None:
        data = self._buffers.get(socket, b"") + bytes(socket.readAll().data())
        if len(data) > MAX_MESSAGE:
            socket.abort()
            return
        self._buffers[socket] = data
        if b"\n" not in data:
            return
        line = data.split(b"\n", 1)[0]
        try:
            files = [Path(f) for f in json.loads(line.decode("utf-8")).get("files", [])]
        except (ValueError, AttributeError, TypeError):
            log.warning("ignored a malformed message from another RaceTrace instance")
            socket.write(b"error\n")
            socket.flush()
            return
        socket.write(b"ok\n")
        socket.flush()
        self.files_received.emit(files)

    def _forget(self, socket: QLocalSocket) -> None:
        self._buffers.pop(socket, None)
        socket.deleteLater()
