#!/usr/bin/env bash
# Validates docker-compose.yml with .env.example as its .env, without a Docker engine.
#
#   scripts/validate-compose.sh [ENV_FILE]     (default: .env.example)
#
# Uses `docker-compose` (v1), installing Debian's package (1.29.x) when it is missing, and also
# `docker compose` (v2) when that plugin is installed. Prints the services and exits non-zero on any error.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

env_file="${1:-.env.example}"
[[ -f "$env_file" ]] || { echo "validate-compose: no $env_file" >&2; exit 2; }

if ! command -v docker-compose >/dev/null 2>&1; then
  if [[ $(id -u) -eq 0 ]]; then SUDO=""; else SUDO="sudo"; fi
  echo "validate-compose: installing Debian's docker-compose package" >&2
  $SUDO apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q docker-compose >&2
fi

echo "validate-compose: $(docker-compose version --short 2>/dev/null || docker-compose version | head -1)"
docker-compose -f docker-compose.yml --env-file "$env_file" config -q
echo "validate-compose: docker-compose.yml is valid for docker-compose v1 with $env_file"
echo "validate-compose: services: $(docker-compose -f docker-compose.yml --env-file "$env_file" config --services | sort | tr '\n' ' ')"

# Every setting the env file sets (the credentials; optional ones are commented out) must be required:
# without it, in a clean environment, config has to fail. So none can fall back to a value written here.
partial=$(mktemp)
trap 'rm -f "$partial"' EXIT
required=$(grep -E '^[A-Za-z_][A-Za-z0-9_]*=' "$env_file" | cut -d= -f1)
for key in $required; do
  grep -v -E "^${key}=" "$env_file" > "$partial"
  if env -i PATH="$PATH" HOME="${HOME:-/tmp}" docker-compose -f docker-compose.yml --env-file "$partial" config -q 2>/dev/null; then
    echo "validate-compose: error: docker-compose.yml is valid without $key: it must be required (\${$key:?...})" >&2
    exit 1
  fi
done
echo "validate-compose: required from the env file: $(tr '\n' ' ' <<<"$required")"

# Compose v2, where installed (it reads the same file; on this project's Debian machines it usually is not).
if docker compose version >/dev/null 2>&1; then
  echo "validate-compose: $(docker compose version)"
  docker compose -f docker-compose.yml --env-file "$env_file" config -q
  echo "validate-compose: docker-compose.yml is valid for docker compose v2 with $env_file"
fi
