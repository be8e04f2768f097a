#!/bin/sh
# Put RaceTrace in the desktop menu of the current user. Run it from the unpacked bundle folder:
#   ./install-desktop-entry.sh            installs ~/.local/share/applications/racetrace.desktop and the icons
#   ./install-desktop-entry.sh --remove   removes them again
# The entry starts the RaceTrace executable next to this script, so install the bundle where it will stay.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
data=${XDG_DATA_HOME:-$HOME/.local/share}
apps=$data/applications
icons=$data/icons/hicolor
sizes="256x256/apps/racetrace.png 64x64/apps/racetrace.png scalable/apps/racetrace.svg"

if [ "${1:-}" = "--remove" ]; then
  rm -f "$apps/racetrace.desktop"
  for icon in $sizes; do rm -f "$icons/$icon"; done
  echo "RaceTrace removed from the desktop menu"
else
  [ -x "$here/RaceTrace" ] || { echo "install-desktop-entry.sh: no RaceTrace executable in $here" >&2; exit 1; }
  for icon in $sizes; do
    mkdir -p "$icons/$(dirname "$icon")"
    cp "$here/share/icons/hicolor/$icon" "$icons/$icon"
  done
  mkdir -p "$apps"
  # Exec/TryExec name the installed `racetrace` command; point them at this bundle instead.
  sed -e "s#^Exec=racetrace#Exec=\"$here/RaceTrace\"#" -e "s#^TryExec=.*#TryExec=$here/RaceTrace#" \
    "$here/share/applications/racetrace.desktop" > "$apps/racetrace.desktop"
  echo "RaceTrace added to the desktop menu: $apps/racetrace.desktop"
fi
if command -v update-desktop-database >/dev/null 2>&1; then update-desktop-database -q "$apps" || true; fi
if command -v gtk-update-icon-cache >/dev/null 2>&1; then gtk-update-icon-cache -q -t "$icons" || true; fi
