#!/bin/sh
# Wilcoxon benchmark: rctkit (bench_wilcoxon from BUILD_DIR) against R / coin on
# the same sizes; prints a side-by-side table.  Usage: sh bench/run.sh BUILD_DIR
# (configure BUILD_DIR with --buildtype=release).  RK_BENCH_R_1E6=1 adds R at 1e6.
set -eu
build=${1:?usage: sh bench/run.sh BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$build/bench/bench_wilcoxon" >"$tmp/c.txt"
Rscript "$here/wilcoxon.R" >"$tmp/r.txt"
echo "rctkit:"; sed 's/^/  /' "$tmp/c.txt"
echo "R:"; sed 's/^/  /' "$tmp/r.txt"
echo
awk -F'|' '
  NR == FNR { r[$1] = $2; next }
  { c[$1] = $2; order[++n] = $1 }
  END {
    printf "%-28s %12s %12s %10s\n", "benchmark", "rctkit (s)", "R (s)", "R/rctkit"
    for (i = 1; i <= n; i++) {
      k = order[i]; rv = (k in r) ? r[k] : "-"
      ratio = (rv != "-" && rv != "NA" && c[k] != "NA" && c[k] > 0) ? sprintf("%.1f", rv / c[k]) : "-"
      printf "%-28s %12s %12s %10s\n", k, c[k], rv, ratio
    }
  }' "$tmp/r.txt" "$tmp/c.txt"
