#!/usr/bin/env bash
# Checks the Debian packages ohlin builds with; installs the missing ones when run as root,
# otherwise says what to run. Used by `make deps`; `--fuzz` (used by `make fuzz`) adds clang,
# its libFuzzer and sanitizer runtimes and its OpenMP, which only fuzzing needs.
set -euo pipefail

packages=(libceres-dev libeigen3-dev libyaml-cpp-dev catch2 libcli11-dev nlohmann-json3-dev
          libfmt-dev libsuitesparse-dev libopenblas0-pthread libnlopt-dev cmake g++ make
          python3     # python3 (standard library only): data/make_wiod.py and test_wiod
          libjs-vega  # embedded into `ohlin report`'s pages at build time
          chromium)   # the report's browser test (make test) and `ohlin report --svg`
if [[ "${1:-}" == "--fuzz" ]]; then
  packages+=(clang libclang-rt-dev libomp-dev)
elif [[ $# -gt 0 ]]; then
  echo "usage: $0 [--fuzz]" >&2
  exit 1
fi

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "ohlin: dpkg-query not found: this script knows Debian and Ubuntu only." >&2
  echo "Install these (or your system's equivalents) by hand: ${packages[*]}" >&2
  exit 1
fi

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  if [[ "$status" != *"install ok installed"* ]]; then
    missing+=("$package")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "ohlin: all build dependencies are installed."
  exit 0
fi

echo "ohlin: missing packages: ${missing[*]}"
if [[ $(id -u) -eq 0 ]]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends "${missing[@]}"
else
  echo "Install them as root, then run make again:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
