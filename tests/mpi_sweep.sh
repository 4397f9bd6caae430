#!/usr/bin/env bash
# A sweep and a sensitivity analysis over 2 MPI ranks (and 2 threads) write the same files as
# one process with one thread: usage mpi_sweep.sh MPIRUN OHLIN SWEEP [SENSITIVITY].
set -euo pipefail
mpirun=$1 ohlin=$2
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
compare() {  # command scenario tag
  "$ohlin" "$1" "$2" --out "$out/$3-one" --threads 1 >/dev/null
  "$mpirun" -np 2 --oversubscribe --allow-run-as-root "$ohlin" "$1" "$2" --out "$out/$3-two" \
    --threads 2 >/dev/null
  local count=0 file name
  for file in "$out/$3-one"/*.csv "$out/$3-one"/summary.json; do
    name=$(basename "$file")
    [[ "$name" == timings.csv ]] && continue
    cmp "$file" "$out/$3-two/$name"
    count=$((count + 1))
  done
  [[ $count -ge 9 ]] || { echo "$1: only $count files compared"; exit 1; }
  echo "mpi_sweep: $1: $count files identical for 1 process and 2 ranks"
}
compare sweep "$3" sweep
if [[ $# -ge 4 ]]; then compare sensitivity "$4" ssa; fi
