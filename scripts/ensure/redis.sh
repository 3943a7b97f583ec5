#!/usr/bin/env bash
# The realtime scale-out tests start a throwaway redis-server (a SignalR backplane shared by two API instances);
# install it when missing.
set -euo pipefail
if command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ]; then
  exit 0
fi
echo "installing redis-server (apt-get)..."
export DEBIAN_FRONTEND=noninteractive
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq redis-server >/dev/null
