# Trial data sets: check, derive, convert (tests/fixtures/make_data_trial.R made the trial); then bad input: file, line, column, exit code 2.
$ rctkit data check --subjects tests/fixtures/data/trial/adsl.csv --measurements tests/fixtures/data/trial/adlb.csv --ae tests/fixtures/data/trial/adae.csv --arms UC-MSC,Placebo --windows BASELINE=-7..1@1,DAY10=7..13@10,DAY28=21..35@28 --primary LESPROP@DAY28 --improvement CS6
subjects: tests/fixtures/data/trial/adsl.csv (30 subjects, 1 not randomized)
measurements: tests/fixtures/data/trial/adlb.csv (229 records, 2 parameters, 3 visits, 12 LOCF records derived)
adverse events: tests/fixtures/data/trial/adae.csv (6 events)

population    UC-MSC  Placebo   total
ITT               19       10      29
mITT              18       10      28
PP                14        7      21
safety            18       10      28

note: tests/fixtures/data/trial/adlb.csv: 36 records fall outside every visit window (kept, not analysed)
note: PCHG: 2 post-baseline records have BASE = 0 (first: subject MSC-007, LESPROP); their percent change is missing
note: LOCF: 12 records of LESPROP carried forward for 10 mITT subjects (DTYPE = LOCF)
$ rctkit data check --subjects tests/fixtures/data/trial/adsl.csv --arms UC-MSC,Placebo --format json
{
  "subjects": "tests/fixtures/data/trial/adsl.csv",
  "n_subjects": 30,
  "not_randomized": 1,
  "arms": [
    "UC-MSC",
    "Placebo"
  ],
  "populations": {
    "ITT": {
      "UC-MSC": 19,
      "Placebo": 10,
      "total": 29
    },
    "mITT": {
      "UC-MSC": 18,
      "Placebo": 10,
      "total": 28
    },
    "PP": {
      "UC-MSC": 0,
      "Placebo": 0,
      "total": 0
    },
    "safety": {
      "UC-MSC": 18,
      "Placebo": 10,
      "total": 28
    }
  },
  "notes": [
    "no measurements and no PPROTFL: the per-protocol population is empty"
  ]
}
$ d=$(mktemp -d) && rctkit data derive --subjects tests/fixtures/data/trial/adsl.csv --measurements tests/fixtures/data/trial/adlb.csv --arms UC-MSC,Placebo --windows BASELINE=-7..1@1,DAY10=7..13@10,DAY28=21..35@28 --primary LESPROP --improvement CS6 --out "$d" --out-format xpt | sed "s|$d|OUT|" && rctkit data convert "$d/adbds.xpt" "$d/adbds.csv" | sed "s|$d|OUT|" && grep -c LOCF "$d/adbds.csv" && sed -n '1,4p' "$d/adbds.csv" && rm -r "$d"
subjects: tests/fixtures/data/trial/adsl.csv (30 subjects, 1 not randomized)
measurements: tests/fixtures/data/trial/adlb.csv (229 records, 2 parameters, 3 visits, 12 LOCF records derived)

population    UC-MSC  Placebo   total
ITT               19       10      29
mITT              18       10      28
PP                14        7      21
safety            18       10      28

note: tests/fixtures/data/trial/adlb.csv: 36 records fall outside every visit window (kept, not analysed)
note: PCHG: 2 post-baseline records have BASE = 0 (first: subject MSC-007, LESPROP); their percent change is missing
note: LOCF: 12 records of LESPROP carried forward for 10 mITT subjects (DTYPE = LOCF)

wrote OUT/adsl.xpt
wrote OUT/adbds.xpt
wrote OUT/adtte.xpt
wrote OUT/adbds.csv: 241 rows, 13 columns
12
USUBJID,ARM,PARAMCD,AVISIT,ADY,AVAL,ABLFL,BASE,CHG,PCHG,DTYPE,ANL01FL,CRIT1FL
MSC-001,Placebo,LESPROP,BASELINE,-5,57.88,Y,57.88,,,,Y,
MSC-001,Placebo,LESPROP,DAY10,9,58.17,,57.88,0.28999999999999915,0.5010366275051816,,Y,
MSC-001,Placebo,LESPROP,DAY28,22,46.54,,57.88,-11.340000000000003,-19.592259847961305,,Y,
$ d=$(mktemp -d) && rctkit data convert tests/fixtures/data/trial/adsl.csv "$d/adsl.xpt" >/dev/null && rctkit data convert tests/fixtures/data/trial/adlb.csv "$d/adlb.xpt" >/dev/null && rctkit data check --subjects "$d/adsl.xpt" --measurements "$d/adlb.xpt" --arms UC-MSC,Placebo --windows BASELINE=-7..1@1,DAY10=7..13@10,DAY28=21..35@28 --primary LESPROP@DAY28 --format json | grep -A4 '"PP"'; rm -r "$d"
    "PP": {
      "UC-MSC": 14,
      "Placebo": 7,
      "total": 21
    },
$ rctkit data convert tests/fixtures/data/adsl.sav -
USUBJID,SITEID,ARM,AGE,BMI,LESPROP,RANDDT
S-001,01,UC-MSC,60,24.1,0.1,2020-03-05
S-002,01,Placebo,45,0.3333333333333333,12.345678901234,2020-03-06
S-003,02,UC-MSC,,22.75,100,2020-03-06
S-004,02,UC-MSC,71,,0,
S-005,02,Placebo,38,30,5e-07,2020-03-28
$ d=$(mktemp -d) && rctkit data convert tests/fixtures/data/adsl.dta "$d/adsl.xpt" | sed "s|$d|OUT|" && rctkit data convert "$d/adsl.xpt" "$d/back.csv" >/dev/null && cat "$d/back.csv" && rm -r "$d"
wrote OUT/adsl.xpt: 5 rows, 7 columns
USUBJID,SITEID,ARM,AGE,BMI,LESPROP,RANDDT
S-001,01,UC-MSC,60,24.1,0.1,2020-03-05
S-002,01,Placebo,45,0.3333333333333333,12.345678901234,2020-03-06
S-003,02,UC-MSC,,22.75,100,2020-03-06
S-004,02,UC-MSC,71,,0,
S-005,02,Placebo,38,30,5e-07,2020-03-28
$ rctkit data check --subjects tests/fixtures/data/bad/adsl_dup.csv
rctkit data check: tests/fixtures/data/bad/adsl_dup.csv:4: column 'USUBJID': subject 'S-01' appears twice (first at tests/fixtures/data/bad/adsl_dup.csv:2)
[exit 2]
$ rctkit data check --subjects tests/fixtures/data/bad/adsl_arm.csv --arms UC-MSC,Placebo
rctkit data check: tests/fixtures/data/bad/adsl_arm.csv:3: column 'ARM': arm 'Placbo' is not in the plan (arms: UC-MSC, Placebo)
[exit 2]
$ rctkit data check --subjects tests/fixtures/data/bad/adsl_dates.csv
rctkit data check: tests/fixtures/data/bad/adsl_dates.csv:3: column 'TRTSDT': dates out of order: first dose 2020-03-06 is before randomization (RANDDT 2020-03-09)
[exit 2]
$ rctkit data check --subjects tests/fixtures/data/bad/adsl.csv --measurements tests/fixtures/data/bad/adlb_unknown.csv
rctkit data check: tests/fixtures/data/bad/adlb_unknown.csv:4: column 'USUBJID': subject 'S-04' is not in the subjects file tests/fixtures/data/bad/adsl.csv
[exit 2]
$ rctkit data check --subjects tests/fixtures/data/bad/adsl.csv --measurements tests/fixtures/data/bad/adlb_text.csv
rctkit data check: tests/fixtures/data/bad/adlb_text.csv:3: column 'AVAL': '21.O' is not a number
[exit 2]
$ rctkit data check --subjects tests/fixtures/data/bad/adsl.csv --measurements tests/fixtures/data/bad/adlb_volume.csv
rctkit data check: tests/fixtures/data/bad/adlb_volume.csv:3: column 'AVAL': -40 is negative, but LESVOL is a volume (AVALU mL)
[exit 2]
$ rctkit data check --subjects tests/fixtures/data/bad/adsl.csv --measurements tests/fixtures/data/bad/adlb_percent.csv
rctkit data check: tests/fixtures/data/bad/adlb_percent.csv:3: column 'AVAL': 135.2 is over 100, but LESPROP is a proportion (AVALU %)
[exit 2]
$ rctkit data check --subjects tests/fixtures/data/bad/adsl.csv --windows DAY28=21..35
rctkit data check: --windows: 'DAY28=21..35' is not NAME=LO..HI@TARGET (e.g. DAY28=21..35@28)
[exit 2]
$ rctkit data convert tests/fixtures/data/trial/adsl.csv /tmp/adsl_with_a_long_name.xpt
rctkit data convert: /tmp/adsl_with_a_long_name.xpt: data set name 'ADSL_WITH_A_LONG_NAME' is not a SAS XPORT v5 name (1-8 letters, digits or _, not starting with a digit); rename the file or give another member name
[exit 2]
$ rctkit data convert tests/fixtures/data/adsl.sav /tmp/adsl.dta
rctkit data convert: /tmp/adsl.dta: rctkit writes csv and xpt (SAS XPORT v5), not dta
[exit 2]
$ rctkit data convert tests/fixtures/data/adsl_expected.csv /tmp/x.xpt --member TOOLONGNAME
rctkit data convert: /tmp/x.xpt: data set name 'TOOLONGNAME' is not a SAS XPORT v5 name (1-8 letters, digits or _, not starting with a digit); rename the file or give another member name
[exit 2]
$ rctkit data frobnicate
rctkit data: unknown subcommand 'frobnicate'

usage: rctkit data check --subjects FILE [--measurements FILE] [--ae FILE] [options]
       rctkit data derive --subjects FILE [--measurements FILE] [--ae FILE] --out DIR [options]
       rctkit data convert IN OUT [--member NAME]

check   validate the data sets, print counts per population and arm
derive  also write the derived data sets (populations, BASE/CHG/PCHG, LOCF, ...)
convert csv, sas7bdat, xpt, dta or sav to csv (OUT '-': standard output) or xpt

Run 'rctkit data check --help' for the options.
[exit 2]
