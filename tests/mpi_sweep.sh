#!/usr/bin/env bash
# A sweep over 2 MPI ranks (and 2 threads) writes the same files as one process with one
# thread: usage mpi_sweep.sh MPIRUN OHLIN SCENARIO.
set -euo pipefail
mpirun=$1 ohlin=$2 scenario=$3
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$ohlin" sweep "$scenario" --out "$out/one" >/dev/null
"$mpirun" -np 2 --oversubscribe --allow-run-as-root "$ohlin" sweep "$scenario" --out "$out/two" \
  --threads 2 >/dev/null
count=0
for file in "$out"/one/*.csv; do
  name=$(basename "$file")
  [[ "$name" == timings.csv ]] && continue
  cmp "$file" "$out/two/$name"
  count=$((count + 1))
done
[[ $count -ge 8 ]] || { echo "only $count files compared"; exit 1; }
echo "mpi_sweep: $count files identical for 1 process and 2 ranks"
