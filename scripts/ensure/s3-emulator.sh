#!/usr/bin/env bash
# The storage contract tests run the S3 adapter against a throwaway one-node Ceph cluster
# (monitor + OSD + RADOS Gateway, started by tests/Hoomi.Testing/S3Emulator.cs); install it when missing.
set -euo pipefail
if command -v radosgw >/dev/null 2>&1 && command -v ceph-mon >/dev/null 2>&1 && command -v ceph-osd >/dev/null 2>&1; then
  exit 0
fi
echo "installing Ceph (radosgw, ceph-mon, ceph-osd) for the S3 emulator (apt-get, ~30 s)..."
export DEBIAN_FRONTEND=noninteractive
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends radosgw ceph-mon ceph-osd >/dev/null
