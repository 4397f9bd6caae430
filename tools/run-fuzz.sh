#!/usr/bin/env bash
# Runs every libFuzzer target of fuzz/ for a bounded time, the targets side by side.
# Usage: tools/run-fuzz.sh BUILD_DIR SECONDS   (used by `make fuzz`)
# New interesting inputs go to BUILD_DIR/corpus/TARGET (the seeds in fuzz/corpus stay as they
# are). A crash, hang, leak or sanitizer report is copied to fuzz/regressions/TARGET/ to be
# committed, so that the normal test suite replays it (tests/test_fuzz_regressions.cpp);
# the script then exits non-zero.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

build_dir=${1:?usage: run-fuzz.sh BUILD_DIR SECONDS}
seconds=${2:?usage: run-fuzz.sh BUILD_DIR SECONDS}
targets=(benchmark scenario state paths)

pids=()
for target in "${targets[@]}"; do
  binary="$build_dir/fuzz_$target"
  if [[ ! -x "$binary" ]]; then
    echo "ohlin: $binary not built (make fuzz builds it)" >&2
    exit 1
  fi
  mkdir -p "$build_dir/corpus/$target" "$build_dir/artifacts/$target" "fuzz/regressions/$target"
  # Runs from the scratch corpus folder; reads the seeds and every regression too.
  "$binary" "$build_dir/corpus/$target" "fuzz/corpus/$target" "fuzz/regressions/$target" \
    -dict=fuzz/yaml.dict -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len=8192 -print_final_stats=1 \
    -artifact_prefix="$build_dir/artifacts/$target/" >"$build_dir/fuzz_$target.log" 2>&1 &
  pids+=($!)
done

status=0
for k in "${!targets[@]}"; do
  target=${targets[$k]}
  if wait "${pids[$k]}"; then
    runs=$(grep -E '^stat::number_of_executed_units' "$build_dir/fuzz_$target.log" | awk '{print $2}')
    echo "fuzz $target: ok, ${runs:-?} inputs in ${seconds}s (log: $build_dir/fuzz_$target.log)"
  else
    status=1
    echo "fuzz $target: FAILED; the end of $build_dir/fuzz_$target.log:"
    tail -n 40 "$build_dir/fuzz_$target.log"
    for artifact in "$build_dir/artifacts/$target"/*; do
      [[ -f "$artifact" ]] || continue
      cp "$artifact" "fuzz/regressions/$target/"
      echo "fuzz $target: kept $(basename "$artifact") in fuzz/regressions/$target/"
    done
  fi
done
exit "$status"
