#!/bin/sh
# Trial data benchmark: rctkit (bench_data from BUILD_DIR) against R (read.csv, and
# data.table::fread when installed) on the same synthetic CSV files; each step is one
# process measured by /usr/bin/time (wall seconds, CPU seconds user+system, peak resident
# memory).  The machine may be shared: CPU seconds are the steadier figure.
# Usage: sh bench/data.sh BUILD_DIR [N_SUBJECTS (1000000)] [DIR (a temporary one)]
# (configure BUILD_DIR with --buildtype=release).  RK_BENCH_NO_R=1 skips R;
# RK_BENCH_NO_BASE_R=1 skips base R read.csv (slow at 10^7 rows).
set -eu
build=${1:?usage: sh bench/data.sh BUILD_DIR [N_SUBJECTS] [DIR]}
n=${2:-1000000}
here=$(cd "$(dirname "$0")" && pwd)
if [ -n "${3:-}" ]; then dir=$3; mkdir -p "$dir"; else dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT; fi
[ -s "$dir/adlb.csv" ] || "$build/bench/bench_data" gen "$dir" "$n"
ls -l "$dir"/*.csv | awk '{ printf "%s %.0f MiB\n", $NF, $5 / 1048576 }'
run() { # label command...
    /usr/bin/time -f "%e|%M|%U|%S" -o "$dir/time.txt" "$@" >"$dir/out.txt" 2>"$dir/err.txt" || {
        echo "$1 failed:"; cat "$dir/err.txt"; return 0; }
    t=$(cut -d'|' -f1 "$dir/time.txt"); kb=$(cut -d'|' -f2 "$dir/time.txt")
    cpu=$(awk -F'|' '{ printf "%.2f", $3 + $4 }' "$dir/time.txt")
    while IFS='|' read -r step secs mem detail; do
        printf '%-28s %8s s  %s\n' "$step" "$secs" "$detail"
    done <"$dir/out.txt"
    printf '%-28s %8s s  CPU %s s, peak %d MiB\n' "  (whole process)" "$t" "$cpu" $((kb / 1024))
}
echo "rctkit:"
run "$build/bench/bench_data" read "$dir"
run "$build/bench/bench_data" derive "$dir"
if [ -z "${RK_BENCH_NO_R:-}" ]; then
    echo "R $(Rscript -e 'cat(R.version$major, R.version$minor, sep=".")'):"
    if Rscript -e 'library(data.table)' >/dev/null 2>&1; then run Rscript "$here/data.R" "$dir" fread; fi
    [ -n "${RK_BENCH_NO_BASE_R:-}" ] || run Rscript "$here/data.R" "$dir" base
fi
