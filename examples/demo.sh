#!/bin/sh
# The main job until the demo trial exists: rctkit's statistics on the seed
# trials' published counts.  usage: sh examples/demo.sh [path/to/rctkit]
set -eu
bin=${1:-build/rctkit}
cd "$(dirname "$0")/.."
run() {
    printf '\n$ rctkit %s\n' "$*"
    "$bin" "$@"
}
echo "rctkit demo: statistics on the seed trials' published counts"
echo "(examples/seed-counts/README.md says where each number comes from)"

echo
echo "== Phase 2 UC-MSC trial, Table 1: men 37/65 (UC-MSC) vs 19/35 (placebo)"
run test chisq --table 37,28/19,16 --no-correct
run test fisher --table 37,28/19,16

echo
echo "== Phase 2 UC-MSC trial, Table 3: any grade 1-2 adverse event 36/65 vs 21/35; hypokalaemia 6/65 vs 1/35"
run test fisher --table 36,29/21,14
run test fisher --table 6,59/1,34

echo
echo "== Phase 2 UC-MSC trial, Table 2: six-category scale at day 10 (ordinal, heavily tied)"
run describe --data examples/seed-counts/scale_day10.csv --value scale_day10 --group group
run test wilcoxon --data examples/seed-counts/scale_day10.csv --value scale_day10 --group group \
    --levels UC-MSC,Placebo --exact --conf-int
run test fisher --table 11,6/8,6/44,23/2,0

echo
echo "== Phase 2 UC-MSC trial, Table 2: mMRC dyspnea grade at day 28"
run test wilcoxon --data examples/seed-counts/mmrc_day28.csv --value mmrc_day28 --group group \
    --levels UC-MSC,Placebo --exact --conf-int
run test kruskal --data examples/seed-counts/mmrc_day28.csv --value mmrc_day28 --group group

echo
echo "== Pilot trial, Table 1: symptom onset <= 12 days, 7/12 (hUC-MSC) vs 10/29 (control); published P = 0.184"
run test fisher --table 7,5/10,19

echo
echo "== Distribution-free 95% CI for a median (n = 20)"
run ci median --x 12,9,14,7,13,18,11,22,9,10,16,13,8,15,19,11,6,17,14,12
