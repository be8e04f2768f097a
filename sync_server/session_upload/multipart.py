"""Receive a multipart/form-data body holding one file while it streams: the size cap is decided on the bytes
received so far, so an oversized upload is refused before it has been read (and never held) in full."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from sync_server.errors import InvalidError, PayloadTooLargeError

MAX_PARTS = 8
MAX_FIELD_BYTES = 1024  # a form field next to the file (e.g. is_public)
MAX_HEADER_BYTES = 4096


@dataclass
class ReceivedForm:
    file_name: str
    data: bytes
    fields: dict[str, str]


@dataclass
class _Part:
    headers: dict[str, bytes] = field(default_factory=dict)  # raw values: browsers send UTF-8 file names
    chunks: list[bytes] = field(default_factory=list)
    size: int = 0


class _Collector:
    """python-multipart callbacks: one file part, a few small text fields, every size bounded."""

    def __init__(self, file_field: str, limit: int) -> None:
        self.file_field = file_field
        self.limit = limit
        self.parts: list[_Part] = []
        self._field = b""
        self._value = b""
        self._header_bytes = 0

    @property
    def current(self) -> _Part:
        return self.parts[-1]

    def on_part_begin(self) -> None:
        if len(self.parts) >= MAX_PARTS:
            raise InvalidError(f"too many form parts (at most {MAX_PARTS})", code="invalid_upload")
        self.parts.append(_Part())
        self._header_bytes = 0

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._count_header(end - start)
        self._field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._count_header(end - start)
        self._value += data[start:end]

    def on_header_end(self) -> None:
        self.current.headers[self._field.decode("latin-1").lower()] = self._value
        self._field, self._value = b"", b""

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        part = self.current
        part.size += end - start
        name, is_file = _disposition(part)
        if is_file and part.size > self.limit:
            raise PayloadTooLargeError(f"File is larger than the limit of {self.limit / (1024 * 1024):g} MB")
        if not is_file and part.size > MAX_FIELD_BYTES:
            raise InvalidError(f"form field {name!r} is longer than {MAX_FIELD_BYTES} bytes", code="invalid_upload")
        part.chunks.append(data[start:end])

    def _count_header(self, size: int) -> None:
        self._header_bytes += size
        if self._header_bytes > MAX_HEADER_BYTES:
            raise InvalidError("a form part's headers are too long", code="invalid_upload")

    def callbacks(self) -> dict[str, object]:
        return {
            "on_part_begin": self.on_part_begin,
            "on_header_field": self.on_header_field,
            "on_header_value": self.on_header_value,
            "on_header_end": self.on_header_end,
            "on_part_data": self.on_part_data,
        }

    def result(self) -> ReceivedForm:
        files = [part for part in self.parts if _disposition(part)[1]]
        if len(files) != 1 or _disposition(files[0])[0] != self.file_field:
            raise InvalidError(
                f"send exactly one file, in the form field {self.file_field!r} ({len(files)} files received)",
                code="invalid_upload",
            )
        fields = {name: b"".join(p.chunks).decode("utf-8", "replace") for p in self.parts
                  for name, is_file in [_disposition(p)] if not is_file}  # fmt: skip
        _, options = parse_options_header(files[0].headers.get("content-disposition", b""))
        file_name = options.get(b"filename", b"").decode("utf-8", "replace").replace("\\", "/").rsplit("/", 1)[-1]
        return ReceivedForm(file_name or "upload", b"".join(files[0].chunks), fields)


def _disposition(part: _Part) -> tuple[str, bool]:
    """(field name, is a file) from the part's Content-Disposition."""
    _, options = parse_options_header(part.headers.get("content-disposition", b""))
    return options.get(b"name", b"").decode("utf-8", "replace"), b"filename" in options


async def receive_form(
    content_type: str | None, body: AsyncIterator[bytes], file_field: str, limit: int
) -> ReceivedForm:
    kind, options = parse_options_header(content_type or "")
    boundary = options.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise InvalidError(
            f"send the file as multipart/form-data in the form field {file_field!r}", code="invalid_upload"
        )
    collector = _Collector(file_field, limit)
    parser = MultipartParser(boundary, callbacks=collector.callbacks())  # type: ignore[arg-type]
    try:
        async for chunk in body:
            parser.write(chunk)
        parser.finalize()
    except MultipartParseError as exc:
        raise InvalidError(f"malformed multipart body ({exc})", code="invalid_upload") from exc
    return collector.result()
