#!/bin/sh
# Whole-report benchmark: rctkit (bench_report: simulate + report) against R computing the same
# statistics (tests/fixtures/make_report.R) on the same synthetic files.
# usage: sh bench/report.sh BUILD_DIR [N ...]   (default sizes: 101 10000 100000 1000000)
# R runs only up to RK_BENCH_R_MAX subjects (default 100000).
set -eu
build=${1:?usage: sh bench/report.sh BUILD_DIR [N ...]}
shift
here=$(cd "$(dirname "$0")/.." && pwd)
sizes=${*:-101 10000 100000 1000000}
rmax=${RK_BENCH_R_MAX:-100000}
printf '%-10s %12s %12s %12s %12s %12s\n' subjects meas_rows simulate_s report_s peak_MiB R_s
for n in $sizes; do
    dir=$(mktemp -d)
    line=$("$build/bench/bench_report" "$here/examples/msc-trial/plan.yaml" "$n" 0 "$dir")
    get() { printf '%s\n' "$line" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
    rs=-
    if [ "$n" -le "$rmax" ]; then
        t0=$(date +%s.%N)
        (cd "$here" && Rscript tests/fixtures/make_report.R "$dir/data" >/dev/null 2>&1)
        t1=$(date +%s.%N)
        rs=$(echo "$t1 - $t0" | bc)
    fi
    printf '%-10s %12s %12s %12s %12s %12s\n' "$n" "$(get measurement_rows)" "$(get simulate_s)" \
        "$(get report_s)" "$(get peak_rss_mib)" "$rs"
    rm -rf "$dir"
done
