#!/bin/sh
# Installs the Debian packages rctkit needs to build and test, only if some are
# missing (quick when everything is there).  Needs root on a fresh machine.
# Usage: scripts/install-deps.sh [build|bench]
set -eu
pkgs="gcc make meson ninja-build pkg-config libgsl-dev libopenblas-dev libjansson-dev
libcmocka-dev libsqlite3-dev libsodium-dev libyaml-dev libmicrohttpd-dev libreadstat-dev
libzint-dev libcairo2-dev curl"
if [ "${1:-build}" = bench ]; then
    pkgs="$pkgs r-base-core r-cran-coin r-cran-mass r-cran-lme4 r-cran-lmertest r-cran-survival
    r-cran-ordinal r-cran-data.table hyperfine time bc"
fi
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "install-deps: installing$missing" >&2
if [ "$(id -u)" != 0 ]; then
    echo "install-deps: these Debian packages are missing:$missing; run as root or install them" >&2
    exit 2
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
