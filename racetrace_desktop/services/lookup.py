"""Find sessions and laps from what a user types: a full id, a unique prefix, or SESSION:LAP_NUMBER."""

from __future__ import annotations

from racetrace_desktop.library import Library
from racetrace_desktop.library.read_models import ConfigurationRecord, LapRecord, SessionSummary
from racetrace_desktop.services import library_service


class NotFoundError(LookupError):
    """Nothing, or more than one record, matches what the user typed."""


def resolve_session(library: Library, text: str) -> SessionSummary:
    wanted = text.strip().lower()
    matches = [s for s in library_service.list_sessions(library) if str(s.uuid).startswith(wanted)]
    if not wanted or not matches:
        raise NotFoundError(f"no session with id {text!r} (see `racetrace sessions`)")
    if len(matches) > 1:
        raise NotFoundError(f"session id {text!r} is ambiguous: {len(matches)} sessions start with it")
    return matches[0]


def resolve_lap(library: Library, text: str) -> LapRecord:
    """`SESSION:N` picks lap N of a session; otherwise a lap id or a unique prefix of one."""
    if ":" in text:
        session_text, number_text = text.rsplit(":", 1)
        session = resolve_session(library, session_text)
        laps = {lap.number: lap for lap in library_service.session_laps(library, session.uuid)}
        if not number_text.isdigit() or int(number_text) not in laps:
            raise NotFoundError(f"session {str(session.uuid)[:8]} has no lap {number_text!r}")
        return laps[int(number_text)]
    wanted = text.strip().lower()
    matches = [
        lap
        for session in library_service.list_sessions(library)
        for lap in library_service.session_laps(library, session.uuid)
        if str(lap.uuid).startswith(wanted)
    ]
    if not wanted or not matches:
        raise NotFoundError(f"no lap with id {text!r} (see `racetrace laps SESSION_ID`)")
    if len(matches) > 1:
        raise NotFoundError(f"lap id {text!r} is ambiguous: {len(matches)} laps start with it")
    return matches[0]


def resolve_configuration(library: Library, text: str) -> ConfigurationRecord:
    """A track configuration from a configuration number, a track name (its only or first layout) or a session."""
    configurations = [c for track in library_service.list_tracks(library) for c in track.configurations]
    wanted = text.strip()
    if wanted.isdigit():
        for config in configurations:
            if config.id == int(wanted):
                return config
    by_name = [c for c in configurations if c.track_name.lower() == wanted.lower()]
    if by_name:
        return min(by_name, key=lambda c: c.id)
    try:
        session = resolve_session(library, wanted)
    except NotFoundError:
        raise NotFoundError(f"no track, track configuration or session {text!r} (see `racetrace sessions`)") from None
    if session.configuration_id is None:
        raise NotFoundError(f"session {str(session.uuid)[:8]} is on no track configuration")
    return library_service.get_configuration(library, session.configuration_id)
