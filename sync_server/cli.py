"""`racetrace-server`: serve (migrations, then uvicorn), migrate, create-admin."""

from __future__ import annotations

import argparse
import getpass
import sys

from pydantic import ValidationError

from sync_server.db import Database
from sync_server.migrate import upgrade
from sync_server.settings import Settings

MIN_PASSWORD_LENGTH = 8


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="racetrace-server",
        description="RaceTrace sync server. Settings come from the environment (DATABASE_URL, SECRET_KEY, ...).",
    )
    commands = parser.add_subparsers(dest="command")
    serve = commands.add_parser("serve", help="apply migrations, then serve the API (the default)")
    _add_serve_options(serve)
    _add_serve_options(parser)
    commands.add_parser("migrate", help="apply database migrations and exit")
    admin = commands.add_parser("create-admin", help="create an administrator (password from stdin or a prompt)")
    admin.add_argument("--username", required=True)
    admin.add_argument("--email", required=True)
    admin.add_argument("--display-name")
    commands.add_parser("rebuild-leaderboard", help="recompute the best-lap table from all laps (after a restore)")
    return parser


def _add_serve_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=1)


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'settings'}: {e['msg']}" for e in exc.errors())
        raise SystemExit(f"racetrace-server: invalid settings: {problems}") from exc


def migrate(settings: Settings) -> None:
    database = Database(settings.database_url)
    try:
        upgrade(database.engine)
    finally:
        database.dispose()


def serve(settings: Settings, host: str, port: int, workers: int) -> None:
    import uvicorn  # imported here so `migrate` and `create-admin` start fast

    migrate(settings)
    uvicorn.run(
        "sync_server.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        log_level="info",
    )


def read_new_password() -> str:
    if not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Repeat password: ") != password:
            raise SystemExit("racetrace-server: passwords do not match")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise SystemExit(f"racetrace-server: password must have at least {MIN_PASSWORD_LENGTH} characters")
    return password


def create_admin(settings: Settings, username: str, email: str, display_name: str | None) -> None:
    from sync_server.auth.repository import username_taken
    from sync_server.auth.schemas import RegisterRequest
    from sync_server.auth.service import register
    from sync_server.security import PasswordHasher

    migrate(settings)
    try:
        request = RegisterRequest(
            username=username, email=email, password=read_new_password(), display_name=display_name
        )
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise SystemExit(f"racetrace-server: {problems}") from exc
    database = Database(settings.database_url)
    try:
        with database.sessions.begin() as db:
            if username_taken(db, username.lower()):
                raise SystemExit(f"racetrace-server: user '{username.lower()}' already exists")
            user = register(db, PasswordHasher(fast=settings.fast_password_hash), request)
            user.is_admin = True
    finally:
        database.dispose()
    print(f"administrator '{request.username.lower()}' created")


def rebuild_leaderboard(settings: Settings) -> None:
    from sync_server.leaderboard.maintain import rebuild_all
    from sync_server.sync.revisions import next_rev

    migrate(settings)
    database = Database(settings.database_url)
    try:
        with database.sessions.begin() as db:
            next_rev(db)  # takes the writers' lock and invalidates cached pages
            count = rebuild_all(db)
    finally:
        database.dispose()
    print(f"leaderboard rebuilt: {count} best-lap rows")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = load_settings()
    if args.command == "migrate":
        migrate(settings)
        print("database is up to date")
    elif args.command == "create-admin":
        create_admin(settings, args.username, args.email, args.display_name)
    elif args.command == "rebuild-leaderboard":
        rebuild_leaderboard(settings)
    else:
        serve(settings, args.host, args.port, args.workers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
