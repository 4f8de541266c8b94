# supply on the trial database: labels from the stored kit list, settings, scans with the
# server's checks (tests/server/test_supply_visits.c covers the endpoints over HTTP)
$ d=$(mktemp -d) && cp examples/server/* "$d" && cd "$d" && rctkit trial init --db trial.db --trial trial.json --sites sites.csv --users users.csv --list list.csv --pwcost min >/dev/null && rctkit supply kits --seed "demo kit list" --arms A:1,B:1 --blocks 6 --lot L2026 --expiry 2027-12-31 --batches A-B1,B-B1 --out kits >/dev/null && rctkit supply load --db trial.db --kits kits/kits.csv --unblinded kits/kits-unblinded.csv --release release.csv --by depot >/dev/null && rctkit supply labels --db trial.db --out labels && ls labels | wc -l && ls labels | head -2 && (grep -l -e A-B1 -e B-B1 -e arm labels/*.svg || echo no arm or batch in any label); rm -rf "$d"
12 labels (SVG and PNG) with GS1 DataMatrix (01)(21)(10)(17) and Code 128
24
79DR43MTM.png
79DR43MTM.svg
no arm or batch in any label
$ d=$(mktemp -d) && cp examples/server/* "$d" && cd "$d" && rctkit trial init --db trial.db --trial trial.json --sites sites.csv --users users.csv --list list.csv --pwcost min >/dev/null && rctkit supply kits --seed "demo kit list" --arms A:1,B:1 --blocks 6 --lot L2026 --expiry 2027-12-31 --batches A-B1,B-B1 --out kits >/dev/null && rctkit supply load --db trial.db --kits kits/kits.csv --unblinded kits/kits-unblinded.csv --release release.csv --by depot >/dev/null && for f in kits/kits.csv; do rctkit supply labels --kits $f --out l2 --svg >/dev/null; done && rctkit supply labels --db trial.db --out l3 --svg >/dev/null && diff -r l2 l3 && echo same labels from the file and from the database; rm -rf "$d"
same labels from the file and from the database
$ d=$(mktemp -d) && cp examples/server/* "$d" && cd "$d" && rctkit trial init --db trial.db --trial trial.json --sites sites.csv --users users.csv --list list.csv --pwcost min >/dev/null && rctkit supply labels --db trial.db --out labels; s=$?; rm -rf "$d"; exit $s
rctkit supply labels: this trial has no kit list: load one with 'rctkit supply load'
[exit 1]
$ d=$(mktemp -d) && cp examples/server/* "$d" && cd "$d" && rctkit trial init --db trial.db --trial trial.json --sites sites.csv --users users.csv --list list.csv --pwcost min >/dev/null && rctkit supply kits --seed "demo kit list" --arms A:1,B:1 --blocks 6 --lot L2026 --expiry 2027-12-31 --batches A-B1,B-B1 --out kits >/dev/null && rctkit supply load --db trial.db --kits kits/kits.csv --unblinded kits/kits-unblinded.csv --release release.csv --by depot >/dev/null && rctkit supply settings --db trial.db && printf 'visit,kind,day,before,after\ninf-1,infusion,0,0,0\ninf-2,infusion,2,0,1\nct-7,ct,7,1,1\n' >sched.csv && rctkit supply settings --db trial.db --schedule sched.csv --trigger 3 --buffer 5 --min-shelf 30 --by depot && rctkit supply report --db trial.db --what resupply --site S01 --on 2027-01-01 && rctkit audit verify --db trial.db | head -1; rm -rf "$d"
current supply settings
resupply: trigger 2, buffer 4 per arm, minimum shelf life 14 days
visit            kind       day  before  after
ct-baseline      ct           0       2      0
infusion-1       infusion     0       0      0
infusion-2       infusion     3       1      1
infusion-3       infusion     6       1      1
ct-day10         ct          10       2      2
ct-day28         ct          28       3      3
followup-day28   followup    28       3      3
followup-day90   followup    90       7      7
new supply settings
resupply: trigger 3, buffer 5 per arm, minimum shelf life 30 days
visit            kind       day  before  after
inf-1            infusion     0       0      0
inf-2            infusion     2       0      1
ct-7             ct           7       1      1
resupply for site S01 on 2027-01-01 (trigger 3, buffer 5 per arm): 10 kits
UXLZB7AXL
ZXFMQC6LC
RGDPFGVXH
AEGCPQVUE
82CKFV9EN
YTUDH4HBM
Z9RXHCAB4
EHY94FB4T
8HLK6YAYG
79DR43MTM
audit trail intact: 15 records
$ d=$(mktemp -d) && cp examples/server/* "$d" && cd "$d" && rctkit trial init --db trial.db --trial trial.json --sites sites.csv --users users.csv --list list.csv --pwcost min >/dev/null && rctkit supply kits --seed "demo kit list" --arms A:1,B:1 --blocks 6 --lot L2026 --expiry 2027-12-31 --batches A-B1,B-B1 --out kits >/dev/null && rctkit supply load --db trial.db --kits kits/kits.csv --unblinded kits/kits-unblinded.csv --release release.csv --by depot >/dev/null && rctkit supply settings --db trial.db --trigger 5 --buffer 3; s=$?; rm -rf "$d"; exit $s
rctkit supply settings: resupply buffer 3 is below the trigger 5: the buffer is the level a shipment restores, at least the trigger
[exit 2]
$ d=$(mktemp -d) && cp examples/server/* "$d" && cd "$d" && rctkit trial init --db trial.db --trial trial.json --sites sites.csv --users users.csv --list list.csv --pwcost min >/dev/null && rctkit supply kits --seed "demo kit list" --arms A:1,B:1 --blocks 6 --lot L2026 --expiry 2027-12-31 --batches A-B1,B-B1 --out kits >/dev/null && rctkit supply load --db trial.db --kits kits/kits.csv --unblinded kits/kits-unblinded.csv --release release.csv --by depot >/dev/null && echo wrong | rctkit supply scan --db trial.db --user inv1 --kit UXLZB7AXL --to received; s=$?; rm -rf "$d"; exit $s
rctkit supply scan: wrong user name or password
[exit 1]
$ d=$(mktemp -d) && cp examples/server/* "$d" && cd "$d" && rctkit trial init --db trial.db --trial trial.json --sites sites.csv --users users.csv --list list.csv --pwcost min >/dev/null && rctkit supply kits --seed "demo kit list" --arms A:1,B:1 --blocks 6 --lot L2026 --expiry 2027-12-31 --batches A-B1,B-B1 --out kits >/dev/null && rctkit supply load --db trial.db --kits kits/kits.csv --unblinded kits/kits-unblinded.csv --release release.csv --by depot >/dev/null && echo mon-pass-1 | rctkit supply scan --db trial.db --user mon --kit UXLZB7AXL --to received; s=$?; rm -rf "$d"; exit $s
rctkit supply scan: POST /api/supply/kits/*/scan is for: investigator, pharmacist, administrator (you are data_monitor)
[exit 1]
$ d=$(mktemp -d) && cp examples/server/* "$d" && cd "$d" && rctkit trial init --db trial.db --trial trial.json --sites sites.csv --users users.csv --list list.csv --pwcost min >/dev/null && rctkit supply kits --seed "demo kit list" --arms A:1,B:1 --blocks 6 --lot L2026 --expiry 2027-12-31 --batches A-B1,B-B1 --out kits >/dev/null && rctkit supply load --db trial.db --kits kits/kits.csv --unblinded kits/kits-unblinded.csv --release release.csv --by depot >/dev/null && echo admin-pass-1 | rctkit supply scan --db trial.db --user admin --kit UXLZB7AXL --to lost; s=$?; rm -rf "$d"; exit $s
rctkit supply scan: kit UXLZB7AXL: say why it is lost (--why TEXT)
[exit 2]
$ rctkit supply scan --db x.db --user inv1 --who inv1 --kit UXLZB7AXL --to received
rctkit supply scan: --who goes with --dir: with --db the scan is by --user, with the user's role, at the current time
[exit 2]
$ rctkit supply scan --dir x --user inv1 --who inv1 --kit UXLZB7AXL --to received
rctkit supply scan: --user and --password-file go with --db (the trial database)
[exit 2]
$ rctkit supply scan --db /nonexistent/x.db --user inv1 --kit UXLZB7AXL --to received </dev/null
rctkit supply scan: no password on stdin: give it on the first line
[exit 2]
