# RaceTrace sync server image. Build from the repository root:
#   docker build -f packaging/server.Dockerfile -t racetrace-server .
# Settings come from the environment (see packaging/compose.yaml); migrations run at start-up.

FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
# Only what the server package needs: no desktop app, no tests.
COPY pyproject.toml README.md ./
COPY packaging/requirements.lock packaging/requirements.lock
COPY sync_server ./sync_server
# Every dependency has a binary wheel (psycopg-binary, argon2-cffi, uvloop, cryptography): no compiler needed.
# The lock file pins the whole dependency tree as constraints.
RUN python -m venv /opt/racetrace \
 && /opt/racetrace/bin/pip install --no-compile -c packaging/requirements.lock ".[server]"

FROM python:3.11-slim-bookworm
LABEL org.opencontainers.image.title="RaceTrace sync server" \
      org.opencontainers.image.description="Accounts, tracks, sync and the team leaderboard for RaceTrace"
ENV PATH=/opt/racetrace/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    XDG_DATA_HOME=/var/lib/racetrace \
    ENVIRONMENT=production
RUN groupadd --system --gid 10001 racetrace \
 && useradd --system --uid 10001 --gid racetrace --home-dir /var/lib/racetrace --shell /usr/sbin/nologin racetrace \
 && install -d -o racetrace -g racetrace -m 0750 /var/lib/racetrace
COPY --from=build /opt/racetrace /opt/racetrace
USER racetrace:racetrace
WORKDIR /var/lib/racetrace
# Without DATABASE_URL the server keeps a SQLite file here; mount a volume to keep it.
VOLUME ["/var/lib/racetrace"]
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import urllib.request, sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4).status != 200)"]
ENTRYPOINT ["racetrace-server"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
