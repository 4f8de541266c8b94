# rctkit supply: usage and input errors, the journal, the logger, and blinding: the last
# long command runs every blinded command and counts arm or batch names in all outputs (0).
$ rctkit supply
usage: rctkit supply ACTION [options]   (rctkit supply ACTION --help)

actions:
  kits      Generate a kit list: random codes with a check symbol, arms permuted within blocks.
  labels    Render one label per kit (GS1 DataMatrix + Code 128, SVG and PNG); labels carry no arm.
  batches   Check batch release data (viability, CD markers, sterility); UNBLINDED output.
  scan      Record a kit transition (refused with advice when illegal): DIR journal or trial database.
  release   Release a quarantined kit back to its previous state (unblinded role and reason).
  allocate  Allocate the next kit of the subject's arm at the subject's site (prints a code only).
  expire    Record every unused kit past its expiry date as expired (it can then only be returned).
  logger    Import a shipment's temperature logger file: excursions, transit, bad rows; quarantine.
  schedule  The visit schedule with windows and each visit's status on a date.
  load      Load the kit list and batch release data into a trial database (for the server).
  settings  Show or change the trial's visit schedule and resupply levels (used by the server).
  report    Supply reports: inventory, expiring, reconcile, resupply, visits (all blinded).
[exit 2]
$ rctkit supply frob
rctkit supply: unknown action 'frob'
usage: rctkit supply ACTION [options]   (rctkit supply ACTION --help)

actions:
  kits      Generate a kit list: random codes with a check symbol, arms permuted within blocks.
  labels    Render one label per kit (GS1 DataMatrix + Code 128, SVG and PNG); labels carry no arm.
  batches   Check batch release data (viability, CD markers, sterility); UNBLINDED output.
  scan      Record a kit transition (refused with advice when illegal): DIR journal or trial database.
  release   Release a quarantined kit back to its previous state (unblinded role and reason).
  allocate  Allocate the next kit of the subject's arm at the subject's site (prints a code only).
  expire    Record every unused kit past its expiry date as expired (it can then only be returned).
  logger    Import a shipment's temperature logger file: excursions, transit, bad rows; quarantine.
  schedule  The visit schedule with windows and each visit's status on a date.
  load      Load the kit list and batch release data into a trial database (for the server).
  settings  Show or change the trial's visit schedule and resupply levels (used by the server).
  report    Supply reports: inventory, expiring, reconcile, resupply, visits (all blinded).
[exit 2]
$ rctkit supply kits --seed x --arms A:2,B:1 --blocks 2 --lot L1 --expiry 2020-04-31 --out /tmp/rk-golden.$PPID
rctkit supply kits: '2020-04-31' is not a date (expected YYYY-MM-DD)
[exit 2]
$ rctkit supply kits --seed x --arms A:2 --blocks 2 --lot L1 --expiry 2020-04-30 --out /tmp/rk-golden.$PPID
rctkit supply kits: a kit list needs 2 to 8 arms, not 1
[exit 2]
$ rctkit supply kits --seed x --arms A:2,B --blocks 2 --lot L1 --expiry 2020-04-30 --out /tmp/rk-golden.$PPID
rctkit supply kits: --arms: 'B' is not NAME:RATIO (e.g. UC-MSC:2)
[exit 2]
$ rctkit supply kits --seed x --arms A:2,B:1 --blocks 0 --lot L1 --expiry 2020-04-30 --out /tmp/rk-golden.$PPID
rctkit supply kits: --blocks must be a whole number 1 to 1000000, not '0'
[exit 2]
$ rctkit supply kits --seed x --arms A:2,B:1 --blocks 2 --lot L1 --expiry 2020-04-30
rctkit supply kits: needs --seed, --arms (or --design), --blocks, --lot, --expiry and --out
[exit 2]
$ rm -rf /tmp/rk-golden.$PPID.d && rctkit supply kits --seed golden --design examples/msc-trial/design.yaml --blocks 2 --lot PK9 --expiry 2020-04-30 --out /tmp/rk-golden.$PPID.d >/dev/null && tail -n +2 /tmp/rk-golden.$PPID.d/kits-unblinded.csv | cut -d, -f2 | sort | uniq -c && rm -rf /tmp/rk-golden.$PPID.d
      4 UC-MSC
      2 placebo
$ rctkit supply kits --seed golden --design examples/msc-trial/design.yaml --arms A:1,B:1 --blocks 2 --lot PK9 --expiry 2020-04-30 --out /tmp/rk-golden.$PPID.d
rctkit supply kits: give --arms or --design, not both
[exit 2]
$ rm -rf /tmp/rk-golden.$PPID && rctkit supply kits --seed golden --arms UC-MSC:2,placebo:1 --blocks 4 --lot PK9 --expiry 2020-04-30 --batches MSC-B1,PBO-B1 --out /tmp/rk-golden.$PPID && cp examples/supply/release.csv examples/supply/subjects.csv /tmp/rk-golden.$PPID/
12 kits in 4 blocks of 3, codes of 8 symbols + check symbol
kits.csv            blinded: number, code, lot, expiry
kits-unblinded.csv  UNBLINDED: code, arm, batch (keep away from blinded staff)
$ cd /tmp/rk-golden.$PPID && rctkit supply kits --seed golden --arms UC-MSC:2,placebo:1 --blocks 4 --lot PK9 --expiry 2020-04-30 --out .
rctkit supply kits: . already holds a kit list: a kit list is generated once; choose another --out
[exit 2]
$ rctkit supply labels --kits /tmp/rk-golden.$PPID/kits.csv --out /tmp/rk-golden.$PPID/labels --gtin 09506000134353
rctkit supply labels: GTIN '09506000134353' is not 14 digits with a valid GS1 check digit: copy it from the GS1 registration (pad a GTIN-13 with a leading 0)
[exit 2]
$ rctkit supply scan --dir /tmp/rk-golden.$PPID --numbers 1-3 --to packed --who me
rctkit supply scan: unknown kit state 'packed' (prepared, packaged, shipped, received, stored, dispensed, administered, quarantined, damaged, expired, lost, returned, destroyed)
[exit 2]
$ rctkit supply scan --dir /tmp/rk-golden.$PPID --numbers 1-13 --to packaged --who me
rctkit supply scan: --numbers: '1-13' is not A-B with 1 <= A <= B <= 12
[exit 2]
$ rctkit supply scan --dir /tmp/rk-golden.$PPID --numbers 1-12 --to packaged --who me --role unblinded
rctkit supply scan: --role: unknown role 'unblinded' (expected investigator, pharmacist, blinded_statistician, unblinded_statistician, data_monitor or administrator)
[exit 2]
$ rctkit supply scan --dir /tmp/rk-golden.$PPID --numbers 1-12 --to packaged --who me --at 2020-03-01
rctkit supply scan: --at: '2020-03-01' is not a time (expected YYYY-MM-DDTHH:MM[:SS][Z], UTC)
[exit 2]
$ rctkit supply scan --dir /tmp/rk-golden.$PPID --numbers 1-12 --to packaged --who me --at 2020-03-01T06:00:00Z
12 kits: prepared -> packaged (records 1-12)
$ rctkit supply scan --dir /tmp/rk-golden.$PPID --numbers 1-12 --to shipped --who me --at 2020-03-01T08:00:00Z
rctkit supply scan: kit HJDRGGQH4: shipping needs the shipment id and the destination site
[exit 2]
$ rctkit supply scan --dir /tmp/rk-golden.$PPID --numbers 1-12 --to shipped --who me --site WUH --shipment S1 --at 2020-03-01T08:00:00Z
12 kits: packaged -> shipped (records 13-24)
$ rctkit supply logger --file tests/cli/data/logger_bad.csv
tests/cli/data/logger_bad.csv: 5 readings from 2020-03-01T08:00:00Z to 2020-03-01T08:40:00Z (40m00s), 7.2 to 12.6 C
excursion 1: above from 2020-03-01T08:05:00Z for 5m00s (lines 3-5), max 12.6 C
excursion 2: below from 2020-03-01T08:30:00Z for 10m00s (lines 7-9), min 7.2 C
line 4: malformed row: 2 fields, the header has 3
line 6: out of order: 2020-03-01T08:08:00Z is not after 2020-03-01T08:10:00Z (line 5); reading ignored
line 7: gap of 20m00s after line 5 (logging interval 300s): temperature unknown in between
line 8: malformed row: temperature 'NaN' is not a number
line 9: gap of 10m00s after line 7 (logging interval 300s): temperature unknown in between
QUARANTINE: 2 excursion(s), 5 bad row(s)/gap(s), transit 40m00s
[exit 1]
$ rctkit supply logger --file tests/cli/data/logger_bad.csv --format json
{
  "file": "tests/cli/data/logger_bad.csv",
  "readings": 5,
  "first": "2020-03-01T08:00:00Z",
  "last": "2020-03-01T08:40:00Z",
  "transit_s": 2400,
  "min_c": 7.2,
  "max_c": 12.6,
  "excursions": [
    {
      "kind": "hot",
      "start": "2020-03-01T08:05:00Z",
      "end": "2020-03-01T08:10:00Z",
      "duration_s": 300,
      "extreme_c": 12.6,
      "line_start": 3,
      "line_end": 5
    },
    {
      "kind": "cold",
      "start": "2020-03-01T08:30:00Z",
      "end": "2020-03-01T08:40:00Z",
      "duration_s": 600,
      "extreme_c": 7.2,
      "line_start": 7,
      "line_end": 9
    }
  ],
  "issues": [
    {
      "line": 4,
      "message": "line 4: malformed row: 2 fields, the header has 3"
    },
    {
      "line": 6,
      "message": "line 6: out of order: 2020-03-01T08:08:00Z is not after 2020-03-01T08:10:00Z (line 5); reading ignored"
    },
    {
      "line": 7,
      "message": "line 7: gap of 20m00s after line 5 (logging interval 300s): temperature unknown in between"
    },
    {
      "line": 8,
      "message": "line 8: malformed row: temperature 'NaN' is not a number"
    },
    {
      "line": 9,
      "message": "line 9: gap of 10m00s after line 7 (logging interval 300s): temperature unknown in between"
    }
  ],
  "n_issues": 5,
  "release_ok": false,
  "verdict": "QUARANTINE: 2 excursion(s), 5 bad row(s)/gap(s), transit 40m00s"
}
[exit 1]
$ rctkit supply logger --file tests/cli/data/logger_bad.csv --dir /tmp/rk-golden.$PPID
rctkit supply logger: --dir and --shipment go together
[exit 2]
$ rctkit supply logger --file tests/cli/data/logger_bad.csv --min 12 --max 8
rctkit supply logger: --min must be below --max
[exit 2]
$ rctkit supply logger --file tests/cli/data/three_arms.csv --dir /tmp/rk-golden.$PPID --shipment S1 --at 2020-03-01T13:00:00Z
rctkit supply logger: tests/cli/data/three_arms.csv:1: the header must name columns 'time' and 'temp_c' (at most 16 columns): is this a logger export? The shipment stays quarantined
shipment S1: 12 kits quarantined (logger S1: file unreadable or invalid)
[exit 2]
$ rctkit supply scan --dir /tmp/rk-golden.$PPID --numbers 1-12 --to received --site WUH --who nurse --at 2020-03-01T13:30:00Z
rctkit supply scan: kit HJDRGGQH4 is quarantined; it cannot become received (allowed: damaged, expired, lost, returned, destroyed); to use it again an unblinded user must release it
[exit 1]
$ rctkit supply release --dir /tmp/rk-golden.$PPID --kit $(sed -n 2p /tmp/rk-golden.$PPID/kits.csv | cut -d, -f2) --who pharm --role pharmacist --at 2020-03-01T14:00:00Z
rctkit supply release: kit HJDRGGQH4: a release from quarantine needs who and why (--why TEXT)
[exit 2]
$ cd /tmp/rk-golden.$PPID && echo '{"seq":99}' >>journal.jsonl && rctkit supply report --dir . --on 2020-03-02
rctkit supply report: ./journal.jsonl:37: record 99 follows record 36: the journal has a hole or was edited
[exit 2]
$ rctkit supply schedule --randomized 2020-03-02 --on 2020-03-06 --done infusion-9=2020-03-02
rctkit supply schedule: --done: 'infusion-9' is not VISIT=DATE with a visit of the schedule
[exit 2]
$ rctkit supply schedule --randomized 2020-03-02 --on 2020-03-12 --done infusion-1=2020-03-02,infusion-2=2020-03-05 --format json
{
  "randomized": "2020-03-02",
  "on": "2020-03-12",
  "visits": [
    {
      "visit": "ct-baseline",
      "kind": "ct",
      "day": 0,
      "target": "2020-03-02",
      "window_open": "2020-02-29",
      "window_close": "2020-03-02",
      "status": "missed"
    },
    {
      "visit": "infusion-1",
      "kind": "infusion",
      "day": 0,
      "target": "2020-03-02",
      "window_open": "2020-03-02",
      "window_close": "2020-03-02",
      "status": "done"
    },
    {
      "visit": "infusion-2",
      "kind": "infusion",
      "day": 3,
      "target": "2020-03-05",
      "window_open": "2020-03-04",
      "window_close": "2020-03-06",
      "status": "done"
    },
    {
      "visit": "infusion-3",
      "kind": "infusion",
      "day": 6,
      "target": "2020-03-08",
      "window_open": "2020-03-07",
      "window_close": "2020-03-09",
      "status": "missed"
    },
    {
      "visit": "ct-day10",
      "kind": "ct",
      "day": 10,
      "target": "2020-03-12",
      "window_open": "2020-03-10",
      "window_close": "2020-03-14",
      "status": "due"
    },
    {
      "visit": "ct-day28",
      "kind": "ct",
      "day": 28,
      "target": "2020-03-30",
      "window_open": "2020-03-27",
      "window_close": "2020-04-02",
      "status": "upcoming"
    },
    {
      "visit": "followup-day28",
      "kind": "followup",
      "day": 28,
      "target": "2020-03-30",
      "window_open": "2020-03-27",
      "window_close": "2020-04-02",
      "status": "upcoming"
    },
    {
      "visit": "followup-day90",
      "kind": "followup",
      "day": 90,
      "target": "2020-05-31",
      "window_open": "2020-05-24",
      "window_close": "2020-06-07",
      "status": "upcoming"
    }
  ]
}
$ rctkit supply report --dir tests/cli/data --what everything
rctkit supply report: --what must be inventory, expiring, reconcile, resupply or visits, not 'everything'
[exit 2]
$ rctkit supply batches --release tests/cli/data/three_arms.csv
rctkit supply batches: tests/cli/data/three_arms.csv: no column 'batch' (columns: id, arm, value, sex)
[exit 2]
$ d=/tmp/rk-golden.$PPID.b; rm -rf $d && rctkit supply kits --seed blind --arms UC-MSC:2,placebo:1 --blocks 2 --lot PK9 --expiry 2020-04-30 --batches MSC-B1,PBO-B1 --out $d >/dev/null && cp examples/supply/release.csv examples/supply/subjects.csv $d/ && { rctkit supply labels --kits $d/kits.csv --out $d/labels; rctkit supply scan --dir $d --numbers 1-6 --to packaged --who p --at 2020-03-01T06:00:00Z; rctkit supply scan --dir $d --numbers 1-6 --to shipped --site WUH --shipment S1 --who c --at 2020-03-01T08:00:00Z; rctkit supply logger --file examples/supply/logger-sh1.csv --dir $d --shipment S1; rctkit supply scan --dir $d --numbers 1-6 --to received --site WUH --who n --at 2020-03-01T13:30:00Z; rctkit supply scan --dir $d --numbers 1-6 --to stored --who n --at 2020-03-01T13:40:00Z; rctkit supply allocate --dir $d --subject S02 --who iwrs --at 2020-03-02T09:00:00Z; for k in $(tail -n +2 $d/kits.csv | cut -d, -f2); do rctkit supply scan --dir $d --kit $k --to dispensed --subject S02 --who n --at 2020-03-02T09:05:00Z; done; for w in inventory expiring visits; do rctkit supply report --dir $d --on 2020-03-06 --what $w; done; rctkit supply report --dir $d --on 2020-03-06 --what reconcile --site WUH; rctkit supply report --dir $d --on 2020-03-06 --what resupply --site WUH --trigger 9 --buffer 9; cat $d/kits.csv $d/journal.jsonl $d/labels/*; } >$d/all.txt 2>&1; grep -c -a -i -E "uc-msc|placebo|msc-b|pbo-b" $d/all.txt; grep -c -E "is not the kit allocated to subject S02" $d/all.txt; rm -rf $d
0
1
$ rm -rf /tmp/rk-golden.$PPID
$ rctkit supply load --db /nonexistent/trial.db --kits examples/supply/kits.csv
rctkit supply load: --kits needs --unblinded: the store keeps each kit's arm (shown to unblinded roles only)
[exit 2]
$ rctkit supply load --kits examples/supply/kits.csv
rctkit supply load: needs --db FILE and --kits kits.csv --unblinded FILE.csv and/or --release FILE.csv
[exit 2]
$ d=$(mktemp -d) && cp examples/server/* "$d" && cd "$d" && rctkit trial init --db trial.db --trial trial.json --sites sites.csv --users users.csv --list list.csv --pwcost min >/dev/null && rctkit supply kits --seed s --arms A:1,B:1 --blocks 2 --lot L --expiry 2030-01-01 --out k >/dev/null && rctkit supply load --db trial.db --kits k/kits.csv --unblinded k/kits-unblinded.csv --by depot && rctkit supply load --db trial.db --kits k/kits.csv --unblinded k/kits-unblinded.csv --by depot; s=$?; rm -rf "$d"; exit $s
trial.db: loaded 4 kits and release data of 0 batches
rctkit supply load: this trial already has its kit list (4 kits): a kit list is loaded once
[exit 1]
$ d=$(mktemp -d) && cp examples/server/* "$d" && cd "$d" && rctkit trial init --db trial.db --trial trial.json --sites sites.csv --users users.csv --list list.csv --pwcost min >/dev/null && rctkit supply kits --seed s --arms A:1,B:1 --blocks 2 --lot L --expiry 2030-01-01 --out k >/dev/null && rctkit supply load --db trial.db --kits k/kits.csv --unblinded k/kits-unblinded.csv --by depot >/dev/null && rctkit supply report --db trial.db --what visits --on 2027-01-01; rm -rf "$d"
due, overdue and missed visits on 2027-01-01
0 visits
$ rctkit supply report --db x.db --dir y
rctkit supply report: needs --dir DIR or --db FILE
[exit 2]
$ rctkit supply report --db /nonexistent/x.db
rctkit supply report: /nonexistent/x.db: cannot open: No such file or directory (create it with 'rctkit trial init')
[exit 2]
