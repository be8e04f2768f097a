"""Sync settings: a small JSON file in the data folder. It never holds a secret (tokens live in the keyring)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from racetrace_desktop import paths

SETTINGS_FILE_NAME = "sync.json"
DEFAULT_CHUNK_SIZE = 250
MAX_CHUNK_SIZE = 500  # the server's limit per push


@dataclass(frozen=True)
class SyncSettings:
    server_url: str | None = None
    username: str | None = None  # the account signed in last (shown in the status; not a secret)
    upload_telemetry_for_devices: bool = True  # arrays of private laps too, so the owner's other devices get them
    upload_original_files: bool = False
    max_file_upload_mb: float = 50.0
    download_telemetry: str = "on_demand"  # or "eager": fetch other devices' lap arrays during sync
    push_chunk_size: int = DEFAULT_CHUNK_SIZE
    auto_sync: bool = True  # for the app: sync in the background when signed in and the server answers
    extra: dict[str, Any] = field(default_factory=dict)  # unknown keys from a newer version, kept as they are

    def __post_init__(self) -> None:
        if self.download_telemetry not in ("on_demand", "eager"):
            raise ValueError(f"download_telemetry must be 'on_demand' or 'eager', not {self.download_telemetry!r}")
        if not 1 <= self.push_chunk_size <= MAX_CHUNK_SIZE:
            raise ValueError(f"push_chunk_size must be between 1 and {MAX_CHUNK_SIZE}, not {self.push_chunk_size}")
        if self.max_file_upload_mb <= 0:
            raise ValueError(f"max_file_upload_mb must be positive, not {self.max_file_upload_mb}")

    def with_changes(self, **changes: Any) -> SyncSettings:
        return replace(self, **changes)


def settings_path() -> Path:
    return paths.data_dir() / SETTINGS_FILE_NAME


def load_settings(path: Path | None = None) -> SyncSettings:
    """The saved settings; defaults when the file is missing. A damaged file is refused, naming it."""
    path = path or settings_path()
    if not path.is_file():
        return SyncSettings()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ValueError(f"{path}: not readable sync settings ({error}); fix or delete the file") from error
    if not isinstance(raw, dict):
        raise ValueError(f"{path}: sync settings must be a JSON object")
    known = {f.name for f in fields(SyncSettings)} - {"extra"}
    values = {key: value for key, value in raw.items() if key in known}
    extra = {key: value for key, value in raw.items() if key not in known}
    try:
        return SyncSettings(**values, extra=extra)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{path}: {error}") from error


def save_settings(settings: SyncSettings, path: Path | None = None) -> None:
    """Write atomically (temp file + rename) so a crash never leaves half a file."""
    path = path or settings_path()
    data = asdict(settings)
    data.update(data.pop("extra"))
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    temporary.replace(path)
