#!/usr/bin/env bash
# Real GTAP data bases through ohlin, outside CI (GTAP data are licensed: keep them, and this
# script's scratch output, out of the repository). For every folder under ROOT that holds a
# GTAP base data file (basedata.har or gsddat.har, any case), it runs
#   ohlin import gtap -> ohlin check -> ohlin solve (+10 points of tariff on every flow)
# and prints one line each: imported / largest balance adjustment / check / converged /
# EV range (% of income over regions) / seconds. Exit status 0 when every folder passes.
# Usage: tools/gtap-check.sh ROOT [OHLIN_BINARY]   (default binary: build/ohlin)
set -uo pipefail

root=${1:?usage: tools/gtap-check.sh ROOT [OHLIN_BINARY]}
ohlin=${2:-"$(dirname "${BASH_SOURCE[0]}")/../build/ohlin"}
ohlin=$(realpath "$ohlin")
scratch=$(mktemp -d "${TMPDIR:-/tmp}/ohlin-gtap-check.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

printf '%-28s %-9s %-11s %-6s %-10s %-24s %8s\n' folder import adjustment check solve \
  "EV % (min .. max)" seconds
failures=0
while IFS= read -r -d '' base; do
  dir=$(dirname "$base")
  name=${dir#"$root"}; name=${name#/}; name=${name:-.}
  work="$scratch/$(echo "$name" | tr '/ ' '__')"
  mkdir -p "$work"
  start=$(date +%s%N)
  import=failed adjustment=- check=- solve=- ev=-
  if "$ohlin" import gtap "$dir" --out "$work/data" > "$work/import.log" 2>&1; then
    import=ok
    adjustment=$(awk '/^balance:/ { if ($0 ~ /nothing moved/) print "0"; else {
      for (i = 1; i <= NF; ++i) if ($i == "largest") { v = $(i + 1); sub(/;$/, "", v); print v } } }' \
      "$work/import.log")
    if "$ohlin" check "$work/data/data.yaml" > "$work/check.log" 2>&1; then check=ok; else check=failed; fi
    cat > "$work/tariff.yaml" <<YAML
ohlin: 1
name: "gtap-check: +10 points of tariff on every flow"
data: $work/data/data.yaml
shocks:
  - {type: tariff, add: 0.10}
YAML
    if "$ohlin" solve "$work/tariff.yaml" --out "$work/solve" > "$work/solve.log" 2>&1; then
      solve=converged
      ev=$(awk -F, 'NR > 1 { if (min == "" || $7 < min) min = $7; if (max == "" || $7 > max) max = $7 }
        END { printf "%+.3f .. %+.3f", min, max }' "$work/solve/welfare.csv")
    else
      solve="failed($?)"
    fi
  fi
  seconds=$(awk -v a="$start" -v b="$(date +%s%N)" 'BEGIN { print (b - a) / 1e9 }')
  printf '%-28s %-9s %-11s %-6s %-10s %-24s %8.2f\n' "$name" "$import" "$adjustment" "$check" \
    "$solve" "$ev" "$seconds"
  if [[ $import != ok || $check != ok || $solve != converged ]]; then
    failures=$((failures + 1))
    [[ $import != ok ]] && tail -n 3 "$work/import.log" | sed 's/^/    /'
  fi
done < <(find "$root" -type f \( -iname basedata.har -o -iname gsddat.har \) -print0 | sort -z)
exit $((failures > 0))
