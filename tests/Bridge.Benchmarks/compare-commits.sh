#!/usr/bin/env bash
# Is the hot path of this commit as fast as an earlier one's? Builds the `micro` benchmark at BASE (in a temporary git
# worktree) and at the work tree, runs them in turn (base, head, base, head, ...) so both see the same machine, and
# prints, per round and as medians, head's HotPath time over base's (BenchmarkDotNet means, one process each: they move
# by up to ±30 % between processes) and each side's paired hot path / ceiling ratio (hot path and ceiling alternated in
# one process; the ceiling's code is the same in both, so it is a yardstick for the load): head's paired ratio over
# base's is the steadier answer, above 1 when head's hot path is faster.
#
#   bash tests/Bridge.Benchmarks/compare-commits.sh 28ad5c7 [rounds=3]   # ~4 min a round
set -euo pipefail
base=${1:?usage: compare-commits.sh BASE_COMMIT [ROUNDS]}
rounds=${2:-3}
root=$(git rev-parse --show-toplevel)
work=$(mktemp -d)
trap 'git -C "$root" worktree remove --force "$work/base" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

git -C "$root" worktree add --detach -q "$work/base" "$base"
for tree in "$work/base" "$root"; do
  dotnet build -c Release "$tree/tests/Bridge.Benchmarks" -v q -nologo >/dev/null
done
bin=tests/Bridge.Benchmarks/bin/Release/net10.0/Bridge.Benchmarks

# "| HotPath | 1000 B  | 2.82 | ..." -> "1000 2.82"; "| 1000 B  | 1.93 | 1.33 | 69 % |" -> "1000 69"
hot_ms() { awk -F'|' '$2 ~ /^ *HotPath *$/ { gsub(/[ B]/, "", $3); gsub(/ /, "", $4); print $3, $4 }' "$1"; }
paired() { awk -F'|' '/^###/ { on = /^### Paired/ } on && $2 ~ /[0-9]+ B/ { gsub(/[ B]/, "", $2); gsub(/[ %]/, "", $5); print $2, $5 }' "$1"; }

echo "| round | record | base HotPath ms/op | head HotPath ms/op | head / base time | base paired hot/ceiling | head paired hot/ceiling | head / base paired |"
echo "| ----- | ------ | ------------------ | ------------------ | ---------------- | ----------------------- | ----------------------- | ------------------ |"
for round in $(seq 1 "$rounds"); do
  "$work/base/$bin" micro >"$work/base.txt" 2>&1
  "$root/$bin" micro >"$work/head.txt" 2>&1
  join <(hot_ms "$work/base.txt") <(hot_ms "$work/head.txt") >"$work/hot"
  join <(paired "$work/base.txt") <(paired "$work/head.txt") >"$work/paired"
  join "$work/hot" "$work/paired" | while read -r size b h pb ph; do
    printf '| %s | %s B | %s | %s | %.3f | %s %% | %s %% | %.3f |\n' "$round" "$size" "$b" "$h" "$(echo "$h / $b" | bc -l)" "$pb" "$ph" "$(echo "$ph / $pb" | bc -l)"
    echo "$size $(echo "$h / $b" | bc -l) $(echo "$ph / $pb" | bc -l)" >>"$work/ratios"
  done
done
echo
median() { sort -g | awk '{ r[NR] = $1 } END { printf "%.3f over %d rounds", NR % 2 ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2, NR }'; }
for size in $(cut -d' ' -f1 "$work/ratios" | sort -un); do
  echo "$size B records: median head/base HotPath time $(awk -v s="$size" '$1 == s { print $2 }' "$work/ratios" | median);" \
    "median head/base paired hot path throughput $(awk -v s="$size" '$1 == s { print $3 }' "$work/ratios" | median)"
done
