#!/usr/bin/env bash
# Runs every test of the solution and ends with one summary line: "N passed, N failed[, N skipped]".
# The tests start their own emulators (DynamoDB Local, kinesalite, kinesis-mock) from tests/node_modules.
set -uo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

if [[ ! -d tests/node_modules/kinesalite ]]; then
  (cd tests && npm ci --no-audit --no-fund) || { echo "npm ci failed"; echo "0 passed, 1 failed"; exit 1; }
fi

log="$(mktemp)"
trap 'rm -f "$log"' EXIT

# Each test assembly prints one "Passed!/Failed!  - Failed: N, Passed: N, Skipped: N, Total: N" line; they are summed.
dotnet test Bridge.sln -c Release 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

passed=0; failed=0; skipped=0
while read -r f p s; do
  failed=$((failed + f)); passed=$((passed + p)); skipped=$((skipped + s))
done < <(sed -n 's/.*Failed: *\([0-9]*\), Passed: *\([0-9]*\), Skipped: *\([0-9]*\), Total:.*/\1 \2 \3/p' "$log")

if [[ $status -ne 0 && $failed -eq 0 ]]; then
  # The build or the test host failed before any result was written: count that as a failure.
  failed=1
fi

summary="$passed passed, $failed failed"
if [[ $skipped -gt 0 ]]; then
  summary="$summary, $skipped skipped"
fi
echo "$summary"

if [[ $failed -gt 0 || $passed -eq 0 ]]; then
  exit 1
fi
