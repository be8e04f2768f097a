"""SQL lives in repositories, and the request's unit of work commits: routes, services and page handlers of the
server neither build SQL nor run it nor end a transaction (sync_server/README.md, "Data access").

The check reads the source with `ast`, so it also covers code that no test happens to run."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

SERVER = Path(__file__).resolve().parents[2] / "sync_server"

# A type for annotations is no SQL; everything else imported from SQLAlchemy (select, update, func, exceptions
# raised by a flush...) belongs in a repository.
ALLOWED_IMPORTS = {("sqlalchemy.orm", "Session")}
SESSION_METHODS = {"execute", "scalar", "scalars", "query", "commit", "rollback"}
# Owned by another change while this check was written (issue 13's push path): the commit there ends nothing,
# since `get_current_user` already ended its read, and goes when that work is merged.
ALLOWED_SESSION_USE = {("sync_server/sync/routes.py", "commit")}


def checked_files() -> list[Path]:
    files = {*SERVER.rglob("routes.py"), *SERVER.rglob("*service*.py"), *(SERVER / "web").glob("*pages*.py")}
    return sorted(files)


def _violations(path: Path, root: Path = SERVER.parent) -> Iterator[str]:
    where = path.relative_to(root)
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in sorted((n for n in ast.walk(tree) if hasattr(n, "lineno")), key=lambda n: (n.lineno, n.col_offset)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "sqlalchemy":
                    yield f"{where}:{node.lineno}: imports {alias.name}"
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "sqlalchemy":
            for alias in node.names:
                if (node.module, alias.name) not in ALLOWED_IMPORTS:
                    yield f"{where}:{node.lineno}: imports {alias.name} from {node.module}"
        elif (  # a call, or the method handed on to be called (run_in_threadpool(db.commit))
            isinstance(node, ast.Attribute)
            and node.attr in SESSION_METHODS
            and (str(where), node.attr) not in ALLOWED_SESSION_USE
        ):
            yield f"{where}:{node.lineno}: uses .{node.attr} (SQL and commits belong in a repository)"


def test_the_check_covers_every_route_service_and_page_module():
    names = {str(path.relative_to(SERVER)) for path in checked_files()}
    assert {"auth/routes.py", "auth/service.py", "leaderboard/routes.py", "web/admin_pages.py"} <= names


def test_a_violation_is_reported_with_file_and_line(tmp_path):
    bad = tmp_path / "routes.py"
    bad.write_text("from sqlalchemy import select\n\n\ndef count(db):\n    return db.scalar(select(1))\n")
    assert list(_violations(bad, tmp_path)) == [
        "routes.py:1: imports select from sqlalchemy",
        "routes.py:5: uses .scalar (SQL and commits belong in a repository)",
    ]


def test_routes_services_and_pages_leave_sql_to_repositories():
    found = [line for path in checked_files() for line in _violations(path)]
    assert not found, "SQL or a commit outside a repository:\n" + "\n".join(found)
