#!/usr/bin/env bash
# The storage contract tests start the Cloud Storage emulator of firebase-tools through
# tools/gcs-emulator/launcher.js; install the pinned package there when missing.
# --ignore-scripts: a native module of firebase-tools otherwise builds for minutes and is not needed.
set -euo pipefail
dir="$(cd "$(dirname "$0")/../.." && pwd)/tools/gcs-emulator"
if [ -f "$dir/node_modules/firebase-tools/package.json" ] \
   && grep -q '"version": "15.34.2"' "$dir/node_modules/firebase-tools/package.json"; then
  exit 0
fi
command -v npm >/dev/null 2>&1 || { echo "npm is required for the GCS emulator (apt-get install nodejs npm)"; exit 1; }
echo "installing firebase-tools 15.34.2 for the GCS emulator (npm, ~40 s)..."
cd "$dir"
if [ -f package-lock.json ]; then
  npm ci --ignore-scripts --no-audit --no-fund >/dev/null
else
  npm install --ignore-scripts --no-audit --no-fund firebase-tools@15.34.2 >/dev/null
fi
