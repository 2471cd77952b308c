#!/usr/bin/env bash
# Installs the Debian 12 packages ems needs to build, run and test, when any is missing.
# Usage: scripts/install-deps.sh [--with-tests] [--with-bench] [--with-compose]
set -euo pipefail
packages=(
  build-essential cmake pkg-config g++ openssl ca-certificates curl
  libpaho-mqttpp-dev libpaho-mqtt-dev mosquitto mosquitto-clients
  libcpp-httplib-dev nlohmann-json3-dev libsqlitecpp-dev libsqlite3-dev sqlite3 libpq-dev
  libcctz-dev libsodium-dev libssl-dev libxxhash-dev libsimdjson-dev nginx libboost1.81-dev
)
# ems-graphql (graphql/, docs/graphql.md) runs on Debian's Node.js 18 with its npm. A Node.js of
# 18 or later installed otherwise (NodeSource's package, which conflicts with Debian's npm) does.
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 18 ] || ! command -v npm >/dev/null; then packages+=(nodejs npm); fi
for option in "$@"; do
  case "$option" in
    --with-tests)
      packages+=(libgtest-dev libgmock-dev googletest clang-format docker-compose python3-yaml
        zlib1g-dev clang libclang-rt-14-dev ccache
        chromium chromium-driver prometheus python3-jinja2
        postgresql) ;;  # the throwaway cluster of the postgres tests (scripts/pg-cluster.sh)
    --with-bench) packages+=(wrk valgrind) ;;
    # The compose tier's engine where no Docker engine runs: rootful podman behind its Docker
    # API, the base image made with debootstrap (docs/deployment.md, "The compose tier").
    --with-compose)
      packages+=(docker-compose podman runc netavark aardvark-dns slirp4netns uidmap debootstrap
        jq curl iptables) ;;
    *) echo "unknown option $option" >&2; exit 2 ;;
  esac
done
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing missing packages: ${missing[*]}"
sudo=""
[ "$(id -u)" != 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian's mosquitto package starts a system broker on 1883 where systemd runs; ems runs its
# own broker from broker-config/, so leave the system one as it is but do not depend on it.
