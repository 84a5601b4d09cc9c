#!/usr/bin/env bash
# Installs every Debian 12 package herald needs to build, test and fuzz.
# Idempotent: packages already present are skipped, and apt runs only when
# something is missing. Pass --runtime-only to skip test/bench tooling.
set -euo pipefail

build_pkgs=(
  build-essential cmake ninja-build ccache pkg-config git
  libboost1.81-dev libboost-json1.81-dev
  libyaml-cpp-dev libcli11-dev libspdlog-dev libfmt-dev
  libjwt-dev libssl-dev libhiredis-dev librabbitmq-dev
)
test_pkgs=(
  libgtest-dev libgmock-dev libbenchmark-dev
  clang libclang-rt-14-dev
  nodejs npm
  chromium
  redis-server haproxy nginx-light rabbitmq-server
)

want=("${build_pkgs[@]}")
if [[ "${1:-}" != "--runtime-only" ]]; then
  want+=("${test_pkgs[@]}")
fi

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# nodejs may come from outside Debian (e.g. a NodeSource build that already
# bundles npm); accept any working node >= 18 instead of forcing Debian's.
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  filtered=()
  for p in "${missing[@]}"; do
    [[ "$p" == nodejs || "$p" == npm ]] || filtered+=("$p")
  done
  missing=("${filtered[@]+"${filtered[@]}"}")
fi

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO=sudo
  $SUDO apt-get update -o DPkg::Lock::Timeout=600
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends \
    -o DPkg::Lock::Timeout=600 "${missing[@]}"
else
  echo "install-deps: all packages present"
fi
