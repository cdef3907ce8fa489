#!/usr/bin/env bash
# The whole suite, three times in a row, while two busy loops keep both cores of the machine busy: tests
# must pass on a loaded CI machine, not only on a quiet one. The loops are bounded (20 minutes) and
# stopped when the runs end, however they end.
set -uo pipefail
cd "$(dirname "$0")/.."

runs=${RUNS:-3}
busy=()
for core in 1 2; do
  timeout 1200 node -e 'for (;;) {}' &
  busy+=($!)
done
trap 'kill "${busy[@]}" 2>/dev/null || true' EXIT

failed=0
for run in $(seq 1 "$runs"); do
  started=$(date +%s)
  if npm test -- --ci >"/tmp/test-under-load.$run.log" 2>&1; then verdict=passed; else verdict=FAILED; failed=1; fi
  echo "run $run: $verdict in $(( $(date +%s) - started )) s ($(grep -E '^tests: ' "/tmp/test-under-load.$run.log" | tail -1))"
done
exit $failed
