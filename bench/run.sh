#!/bin/sh
# Benchmarks: rctkit (bench_* from BUILD_DIR) against R on the same problems; prints
# side-by-side tables.  Usage: sh bench/run.sh BUILD_DIR [wilcoxon|models|all]
# (configure BUILD_DIR with --buildtype=release; default: all).
#   wilcoxon: bench_wilcoxon vs bench/wilcoxon.R (RK_BENCH_R_1E6=1 adds R at 1e6).
#   models:   bench/models.R writes the data sets once (CSV, fixed seed) to a temporary
#             directory; bench_models (best of 3) and bench/models.R (one run) fit the same
#             files.  About a minute of R.
set -eu
build=${1:?usage: sh bench/run.sh BUILD_DIR [wilcoxon|models|all]}
which=${2:-all}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

compare() { # title rctkit-file R-file
    echo "== $1"
    echo "rctkit:"; sed 's/^/  /' "$2"
    echo "R:"; sed 's/^/  /' "$3"
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
      }' "$3" "$2"
    echo
}

if [ "$which" = all ] || [ "$which" = wilcoxon ]; then
    "$build/bench/bench_wilcoxon" >"$tmp/c.txt"
    Rscript "$here/wilcoxon.R" >"$tmp/r.txt"
    compare "Wilcoxon rank-sum / Hodges-Lehmann" "$tmp/c.txt" "$tmp/r.txt"
fi
if [ "$which" = all ] || [ "$which" = models ]; then
    Rscript "$here/models.R" write "$tmp"
    "$build/bench/bench_models" "$tmp" 3 >"$tmp/cm.txt"
    Rscript "$here/models.R" time "$tmp" >"$tmp/rm.txt"
    # the same names on both sides: polr is the reference for ordinal_200k
    sed -e 's/^ordinal_polr_200k|/ordinal_200k|/' "$tmp/rm.txt" >"$tmp/rm2.txt"
    compare "Regression models" "$tmp/cm.txt" "$tmp/rm2.txt"
fi
