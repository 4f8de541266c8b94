# Server, trial and audit commands: usage errors and bad files (exit 2), a tampered trail (exit 1).
$ rctkit serve
rctkit serve: --db FILE is required
[exit 2]
$ rctkit serve --db x.db --port 70000
rctkit serve: --port must be a whole number from 0 to 65535, not '70000'
[exit 2]
$ rctkit serve --db examples/server/none.db --port 0
rctkit serve: examples/server/none.db: cannot open: No such file or directory (create it with 'rctkit trial init')
[exit 2]
$ rctkit trial
usage: rctkit trial init|hash-password [options]   (rctkit trial init --help)
[exit 2]
$ rctkit trial init --db x.db
rctkit trial init: needs --db, --trial (or --design), --sites, --users and --list (or --seed)
[exit 2]
$ rctkit trial init --db x.db --trial a --sites b --users c --list d --pwcost huge
rctkit trial init: --pwcost must be interactive, moderate or min, not 'huge'
[exit 2]
$ rctkit audit
usage: rctkit audit verify|replay --db FILE   (rctkit audit verify --help)
[exit 2]
$ rctkit audit verify
rctkit audit verify: --db FILE is required
[exit 2]
$ rctkit audit verify --db examples/server/trial.json
rctkit audit verify: examples/server/trial.json: not an rctkit trial database (not even SQLite)
[exit 2]
$ echo 'a-long-password' | rctkit trial hash-password --pwcost min | cut -c1-27
$argon2id$v=19$m=8,t=1,p=1$
$ echo 'short' | rctkit trial hash-password --pwcost min
rctkit trial hash-password: passwords need at least 8 characters
[exit 2]
$ d=$(mktemp -d) && cp examples/server/* "$d" && cd "$d" && rctkit trial init --db t.db --trial trial.json --sites sites.csv --users users.csv --list list.csv --pwcost min >/dev/null && rctkit audit verify --db t.db | head -1; rctkit audit verify --db t.db --head 12:00 | sed "s/12:[0-9a-f]\{64\}/12:HEAD/"; s=${PIPESTATUS[0]}; rm -rf "$d"; exit $s
audit trail intact: 12 records
audit trail BROKEN at record 12: the trail ends at 12:HEAD, not at the expected head 12:00 (records were removed from its end, or it was rewritten)
[exit 1]
$ rctkit audit replay
rctkit audit replay: --db FILE is required
[exit 2]
$ d=$(mktemp -d) && cp examples/server/* "$d" && cd "$d" && rctkit trial init --db t.db --trial trial.json --sites sites.csv --users users.csv --list list.csv --pwcost min >/dev/null && rctkit audit replay --db t.db; s=$?; rm -rf "$d"; exit $s
rctkit audit replay: this trial serves an uploaded list: there is nothing to replay (the list itself is reproduced by 'rctkit rand list')
[exit 2]
$ d=$(mktemp -d) && cp examples/server/* "$d" && cd "$d" && rctkit trial init --db t.db --trial trial.json --sites sites.csv --users users.csv --list list.csv --seed 1 --pwcost min; s=$?; rm -rf "$d"; exit $s
rctkit trial init: give --list or --seed, not both (--seed: a design randomized at allocation time)
[exit 2]
$ d=$(mktemp -d) && cp examples/server/* "$d" && cd "$d" && rctkit trial init --db t.db --trial trial.json --sites sites.csv --users users.csv --seed 1 --pwcost min; s=$?; test -e t.db || echo "no database left"; rm -rf "$d"; exit $s
rctkit trial init: trial.json: a seed needs a design YAML with a procedure run at allocation time (complete, efron, big-stick, minimization)
no database left
[exit 2]
