#!/usr/bin/env bash
# One entry point for developers and CI.
#   packaging/tasks.sh app       set up, then launch RaceTrace (demo data when the library is empty)
#   packaging/tasks.sh test      set up, then run every check and test (offscreen Qt, throwaway PostgreSQL)
#   packaging/tasks.sh bench     set up, then run the benchmarks
#   packaging/tasks.sh package   set up, then build dist/RaceTrace with PyInstaller and smoke-test it
#   packaging/tasks.sh server    set up, then start the sync server (SQLite in the user data folder)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
venv="$root/.venv"
py="$venv/bin/python"

# Debian packages the app and the tests need (Qt/WebEngine runtime, PostgreSQL server, Chromium, PyInstaller).
runtime_debs=(libglib2.0-0 libgl1 libegl1 libfontconfig1 fonts-dejavu-core libxkbcommon0 libdbus-1-3
  libnss3 libxcomposite1 libxdamage1 libxrandr2 libxtst6 libasound2 libxkbfile1
  libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 python3-venv)
test_debs=(postgresql-15 chromium binutils)

ensure_debs() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "tasks: installing Debian packages: ${missing[*]}"
    mkdir -p /etc/postgresql-common
    grep -qs 'create_main_cluster = false' /etc/postgresql-common/createcluster.conf \
      || echo 'create_main_cluster = false' >> /etc/postgresql-common/createcluster.conf
    DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "tasks: missing Debian packages; run: sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
}

ensure_venv() {
  local stamp="$venv/.racetrace-stamp" want
  want=$(cat pyproject.toml packaging/requirements.lock | sha256sum | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return 0; fi
  [ -x "$py" ] || python3 -m venv "$venv"
  "$py" -m pip install -q -c packaging/requirements.lock -e ".[desktop,server,dev]"
  echo "$want" > "$stamp"
}

qt_env() {
  export QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen}
  export QTWEBENGINE_DISABLE_SANDBOX=1
  export QTWEBENGINE_CHROMIUM_FLAGS=${QTWEBENGINE_CHROMIUM_FLAGS:---log-level=3}
  local xdg="$root/.xdg"
  export XDG_CACHE_HOME=$xdg/cache XDG_DATA_HOME=$xdg/data XDG_CONFIG_HOME=$xdg/config XDG_RUNTIME_DIR=$xdg/run
  mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
  export PYTHON_KEYRING_BACKEND=${PYTHON_KEYRING_BACKEND:-keyring.backends.null.Keyring}
}

cmd=${1:-}
shift || true
case "$cmd" in
  app)
    ensure_debs "${runtime_debs[@]}"
    ensure_venv
    if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then export QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen}; fi
    [ "$(id -u)" = 0 ] && export QTWEBENGINE_DISABLE_SANDBOX=1
    exec "$venv/bin/racetrace" "$@"
    ;;
  test)
    ensure_debs "${runtime_debs[@]}" "${test_debs[@]}"
    ensure_venv
    qt_env
    # A missing sample corpus, PostgreSQL or Chromium skips the tests that need it, with one line saying so; with
    # CI=true or RACETRACE_REQUIRE_ALL=1 (set by .ci/run) it fails them instead.
    "$venv/bin/ruff" check .
    "$venv/bin/lint-imports" --no-cache
    "$venv/bin/mypy"  # files and strictness per layer: [tool.mypy] in pyproject.toml
    exec packaging/with-postgres.sh "$py" -m pytest "$@"
    ;;
  bench)
    ensure_debs "${runtime_debs[@]}" "${test_debs[@]}"
    ensure_venv
    qt_env
    exec packaging/with-postgres.sh "$py" -m benchmarks "$@"
    ;;
  package)
    ensure_debs "${runtime_debs[@]}" binutils
    ensure_venv
    qt_env
    exec "$py" packaging/build_bundle.py "$@"
    ;;
  server)
    ensure_venv
    exec "$venv/bin/racetrace-server" "$@"
    ;;
  *)
    sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
