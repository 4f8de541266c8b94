#!/bin/sh
# Supply benchmark: bench_supply (scans per second; 1e6-reading logger import) and the same
# excursion detection by the rctkit CLI, mawk and R on the same file.
# usage: sh bench/supply.sh BUILD_DIR   (configure BUILD_DIR with --buildtype=release)
set -eu
build=${1:?usage: sh bench/supply.sh BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
f=$(mktemp /tmp/rk_bench_logger.XXXXXX)
trap 'rm -f "$f" "$f.out"' EXIT
"$build/bench/bench_supply" "$f"
s=$(date +%s.%N)
"$build/rctkit" supply logger --file "$f" --interval 5 --max-transit 999 >"$f.out" || true
e=$(date +%s.%N)
echo "rctkit supply logger (whole CLI run)|$(echo "$e - $s" | bc)|$(tail -n 1 "$f.out")"
for awk in mawk gawk; do
    command -v $awk >/dev/null || continue
    s=$(date +%s.%N)
    out=$($awk -f "$here/supply_logger.awk" "$f")
    e=$(date +%s.%N)
    echo "$awk|$(echo "$e - $s" | bc)|$out"
done
Rscript "$here/supply_logger.R" "$f"
