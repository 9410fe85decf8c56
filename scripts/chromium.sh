#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed (/usr/bin/chromium): the console's browser tests (tests/Console.Tests,
# Playwright with ExecutablePath) and the screenshots (dashboard-screenshot.sh, `shopstream demo --console`) drive it.
# Playwright's own browser download does not work offline, so it is never used. Prints the executable's path.
set -euo pipefail
if ! command -v chromium >/dev/null 2>&1; then
  echo "chromium.sh: installing Debian's chromium" >&2
  if [[ $(id -u) -eq 0 ]]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q chromium >&2
fi
command -v chromium
