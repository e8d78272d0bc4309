#!/usr/bin/env bash
# Installs the Debian 12 packages fluxstatus builds and tests with; a no-op when all are present.
set -euo pipefail
packages=(
  build-essential cmake pkg-config sqlite3
  libsqlite3-dev libsqlitecpp-dev libcereal-dev rapidjson-dev libconcurrentqueue-dev
  libboost-dev libboost-test-dev libcurl4-openssl-dev libssl-dev
  libyaml-cpp-dev libcli11-dev libspdlog-dev libfmt-dev prometheus-cpp-dev
)
if [[ "${1:-}" == "--test" ]]; then
  packages+=(curl ca-certificates)
  # ccache: the quickstart test's `make build` (build-quickstart/) then reuses the Release
  # build's objects instead of compiling the service a second time.
  packages+=(ccache)
  # `make bench`: /usr/bin/time measures a child's own peak memory (Python's getrusage of its
  # children can never report less than Python's own size).
  packages+=(time)
  # `make fuzz`: libFuzzer and the clang sanitizer runtimes.
  packages+=(clang libclang-rt-14-dev)
  # Node.js may come from elsewhere (e.g. NodeSource, which bundles npm and conflicts with
  # Debian's npm package): only install Debian's when there is no npm at all.
  command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
