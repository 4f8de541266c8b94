#!/usr/bin/env bash
# The seed trial randomized by minimization at allocation time, end to end on this machine:
# configure the trial database from the design and a seed (no list), start the server, enrol
# and randomize eight patients as the two sites' investigators (curl), read the allocations as
# the unblinded statistician, stop the server, and replay every allocation from the seed.
# Run from anywhere: bash examples/msc-trial/minimization-demo.sh (needs rctkit and curl).
set -eu
ex=$(cd "$(dirname "$0")/.." && pwd)
d=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$d"' EXIT
cd "$d"
rctkit trial init --db trial.db --design "$ex/msc-trial/minimization.yaml" --seed 20200305 \
    --eligibility "$ex/server/eligibility.csv" --sites "$ex/server/sites.csv" \
    --users "$ex/server/users.csv" --pwcost min
# the server itself in the background (RCTKIT_BIN: the binary under test, set by the test suite)
"${RCTKIT_BIN:-rctkit}" serve --db trial.db --port 0 --port-file port 2>serve.log &
pid=$!
for _ in $(seq 200); do [ -s port ] && break; sleep 0.05; done
[ -s port ] || { cat serve.log; exit 1; }
api=http://127.0.0.1:$(cat port)/api
login() {
    curl -s -X POST "$api/login" -d "{\"username\": \"$1\", \"password\": \"$1-pass-1\"}" |
        sed 's/.*"token":"\([0-9a-f]*\)".*/\1/'
}
inv1=$(login inv1)
inv2=$(login inv2)
echo "investigators randomize (the answer has the randomization number, never the arm):"
for p in S01-001:F S02-001:M S01-002:M S01-003:F S02-002:F S02-003:M S01-004:M S02-004:M; do
    id=${p%:*} sex=${p#*:}
    tok=$inv1
    [ "${id%%-*}" = S02 ] && tok=$inv2
    curl -s -X POST "$api/subjects" -H "Authorization: Bearer $tok" -d "{\"subject_id\": \"$id\", \
\"strata\": {\"sex\": \"$sex\"}, \"eligibility\": {\"age_18_65\": true, \"ards\": false}}" >/dev/null
    curl -s -X POST "$api/subjects/$id/randomize" -H "Authorization: Bearer $tok" |
        sed 's/,"randomized_at":"[^"]*"//'
done
echo "the unblinded statistician's list (rand_no stratum arm subject):"
curl -s "$api/list" -H "Authorization: Bearer $(login ustat)" | tr '{' '\n' |
    sed -n 's/.*"rand_no":"\([^"]*\)","stratum":"\([^"]*\)".*"arm":"\([^"]*\)","subject_id":"\([^"]*\)".*/\1 \2 \3 \4/p' |
    sort -n
kill "$pid"
wait "$pid" || true
pid=
echo "replay from the seed, then from a wrong seed:"
rctkit audit replay --db trial.db --seed 20200305
rctkit audit replay --db trial.db --seed 20200306 || echo "[audit replay exit $?]"
rctkit audit verify --db trial.db | head -1
