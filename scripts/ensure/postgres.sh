#!/usr/bin/env bash
# The functional tests start a throwaway PostgreSQL cluster with initdb + pg_ctl; install the server when missing.
set -euo pipefail
if command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  exit 0
fi
echo "installing the PostgreSQL server (apt-get)..."
export DEBIAN_FRONTEND=noninteractive
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq postgresql >/dev/null
