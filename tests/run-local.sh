#!/usr/bin/env bash
# README command 1: the bridge end to end on local emulators (DynamoDB Local → bridge → kinesalite) with a chat
# workload; prints records in and out, per target shard, per-room order verification, catch-up rate and latency.
# Options: --backlog N --live-rate N --live-seconds N --rooms N --shards N --aggregation None|Kpl, and --tables N
# [--merge] (one room's messages spread over N tables; --merge keeps each room in ts order across them). --help lists
# them; an unknown option is refused with exit code 2. Stops everything it started on exit.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
if [[ ! -d tests/node_modules/kinesalite ]]; then
  (cd tests && npm ci --no-audit --no-fund)
fi
exec dotnet run -c Release --project tests/Bridge.LocalRun -- "$@"
