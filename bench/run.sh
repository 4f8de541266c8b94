#!/bin/sh
# Benchmarks: rctkit (bench_* from BUILD_DIR) against R on the same problems; prints
# side-by-side tables.  Usage: sh bench/run.sh BUILD_DIR [SUITE ...]
# (configure BUILD_DIR with --buildtype=release).  Suites:
#   wilcoxon: bench_wilcoxon vs bench/wilcoxon.R (RK_BENCH_R_1E6=1 adds R at 1e6).
#   models:   bench/models.R writes the data sets once (CSV, fixed seed) to a temporary
#             directory; bench_models (best of 3) and bench/models.R (one run) fit the same
#             files.  About a minute of R.
#   rand:     bench/run_rand.sh (randomization lists and assessment vs plain R).
#   supply:   bench/supply.sh (kit scans, logger import vs mawk/gawk/R).
#   server:   bench_server 8 250 (concealed allocation over HTTP, 2,000 enrolments).
#   data:     bench/data.sh at RK_BENCH_DATA_N subjects (default 100000; 1e6 in 'full').
#   report:   bench/report.sh at 101, 10^4 and 10^5 subjects (R at each; 10^6 in 'full').
#   all:      every suite above at those sizes (the default, `make bench`; ~10 minutes).
#   full:     all, with data at 10^6 subjects and the report at 10^6 too (opt-in: adds several
#             minutes and ~3.5 GiB of memory).
set -eu
build=${1:?usage: sh bench/run.sh BUILD_DIR [wilcoxon|models|rand|supply|server|data|report|all|full ...]}
shift
suites=${*:-all}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
full=0
case " $suites " in *" full "*) full=1 ;; esac
want() { # suite name: selected explicitly, by all or by full
    case " $suites " in *" $1 "* | *" all "* | *" full "*) return 0 ;; esac
    return 1
}

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

if want wilcoxon; then
    "$build/bench/bench_wilcoxon" >"$tmp/c.txt"
    Rscript "$here/wilcoxon.R" >"$tmp/r.txt"
    compare "Wilcoxon rank-sum / Hodges-Lehmann" "$tmp/c.txt" "$tmp/r.txt"
fi
if want models; then
    Rscript "$here/models.R" write "$tmp"
    "$build/bench/bench_models" "$tmp" 3 >"$tmp/cm.txt"
    Rscript "$here/models.R" time "$tmp" >"$tmp/rm.txt"
    # the same names on both sides: polr is the reference for ordinal_200k
    sed -e 's/^ordinal_polr_200k|/ordinal_200k|/' "$tmp/rm.txt" >"$tmp/rm2.txt"
    compare "Regression models" "$tmp/cm.txt" "$tmp/rm2.txt"
fi
if want rand; then
    echo "== Randomization (bench/run_rand.sh)"
    sh "$here/run_rand.sh" "$build"
    echo
fi
if want supply; then
    echo "== Supply (bench/supply.sh)"
    sh "$here/supply.sh" "$build"
    echo
fi
if want server; then
    echo "== Concealed-allocation server (bench_server 8 clients x 250 enrolments)"
    mkdir -p "$tmp/server"
    "$build/bench/bench_server" 8 250 "$tmp/server"
    echo
fi
if want data; then
    n=${RK_BENCH_DATA_N:-100000}
    [ "$full" = 1 ] && n=${RK_BENCH_DATA_N:-1000000}
    echo "== Trial data sets (bench/data.sh, $n subjects)"
    sh "$here/data.sh" "$build" "$n"
    echo
fi
if want report; then
    echo "== Whole report (bench/report.sh)"
    if [ "$full" = 1 ]; then
        sh "$here/report.sh" "$build" 101 10000 100000 1000000
    else
        sh "$here/report.sh" "$build" 101 10000 100000
    fi
    echo
fi
