#!/usr/bin/env bash
# Runs every test of the solution. Starts what the tests need itself (each fixture starts its own
# throwaway PostgreSQL, storage emulator or Redis and stops it by PID); this script only makes sure
# the programs are installed, then builds, tests and prints one summary line.
set -uo pipefail
cd "$(dirname "$0")"

for ensure in scripts/ensure/*.sh; do
  [ -e "$ensure" ] || continue
  bash "$ensure" || { echo "setup step $ensure failed"; echo "tests: 0 passed, 1 failed"; exit 1; }
done

results="$(pwd)/TestResults"
rm -rf "$results"
mkdir -p "$results"

dotnet test Hoomi.sln -c Release --logger "trx" --results-directory "$results" "$@"
status=$?

passed=0; failed=0; skipped=0; files=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  files=$((files + 1))
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  get() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*' || echo 0; }
  passed=$((passed + $(get passed)))
  failed=$((failed + $(get failed) + $(get error) + $(get timeout) + $(get aborted)))
  # Skipped and explicit tests are in the total but not executed.
  skipped=$((skipped + $(get total) - $(get executed)))
done
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  # The build or a test host failed before any test could report.
  failed=1
fi
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit $status
