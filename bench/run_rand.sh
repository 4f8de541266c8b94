#!/bin/sh
# Randomization benchmark: rctkit (bench_rand from BUILD_DIR) beside plain R implementations
# (bench/rand.R; randomizeR is not packaged in Debian).  Usage: sh bench/run_rand.sh BUILD_DIR
# (configure BUILD_DIR with --buildtype=release).
set -eu
build=${1:?usage: sh bench/run_rand.sh BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$build/bench/bench_rand" >"$tmp/c.txt"
Rscript "$here/rand.R" >"$tmp/r.txt"
echo "rctkit:"; sed 's/^/  /' "$tmp/c.txt"
echo "R:"; sed 's/^/  /' "$tmp/r.txt"
