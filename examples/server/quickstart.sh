#!/usr/bin/env bash
# The README's server quick start, run for real: configure the example two-site trial, start the
# server on a free port, log in as the site 1 investigator, enrol and randomize one patient with
# curl, stop the server and verify the audit trail.  The test suite runs this script (README.md).
# Run from anywhere: bash examples/server/quickstart.sh (needs rctkit and curl).
set -eu
ex=$(cd "$(dirname "$0")" && pwd)
d=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$d"' EXIT
cd "$d"
rctkit trial init --db trial.db --trial "$ex/trial.json" --sites "$ex/sites.csv" \
    --users "$ex/users.csv" --list "$ex/list.csv" --pwcost min
# RCTKIT_BIN: the binary under test, set by the test suite
"${RCTKIT_BIN:-rctkit}" serve --db trial.db --port 0 --port-file port 2>serve.log &
pid=$!
for _ in $(seq 200); do [ -s port ] && break; sleep 0.05; done
[ -s port ] || { cat serve.log; exit 1; }
api=http://127.0.0.1:$(cat port)/api
TOKEN=$(curl -s -X POST "$api/login" -d '{"username": "inv1", "password": "inv1-pass-1"}' |
    sed 's/.*"token":"\([^"]*\)".*/\1/')
curl -s -X POST "$api/subjects" -H "Authorization: Bearer $TOKEN" \
    -d '{"subject_id": "S01-001", "strata": {"sex": "F"}, "eligibility": {"age_18_75": true, "pregnant": false}}' |
    sed 's/,"enrolled_at":"[^"]*"//'
curl -s -X POST "$api/subjects/S01-001/randomize" -H "Authorization: Bearer $TOKEN" |
    sed 's/,"randomized_at":"[^"]*"//'
curl -s "$api/list" -H "Authorization: Bearer $TOKEN"
kill "$pid"
wait "$pid" || true
pid=
rctkit audit verify --db trial.db | head -1
