# rctkit report: the mini trial, then bad input (a clear message naming file/line/column,
# exit 2, and no report left behind).  The demo trial's report: tests/cli/report_demo.t.
$ rctkit report tests/cli/data/report/mini.yaml --format md
# mini trial

### Table 2. Primary and secondary outcomes (ITT population)

| Outcome | Arm A (n = 3) | Arm B (n = 2) | Difference (95% CI) | P |
|:---|---:|---:|---:|---:|
| Outcome Y | 2.00 (1.00, 3.00) | 4.50 (4.00, 5.00) | -2.50 (-4.00, -1.00) | 0.149 |

Median (IQR) per group; difference: Hodges-Lehmann estimate of the shift (Arm A minus Arm B) with Moses 95% CI; P: Wilcoxon rank-sum test, normal approximation with continuity correction (SAS NPAR1WAY).  

### CONSORT flow (counts)

| Stage | Arm A | Arm B | Total |
|:---|---:|---:|---:|
| Randomized | 3 | 2 | 5 |
| **Analysed** |  |  |  |
| &nbsp;&nbsp;ITT | 3 | 2 | 5 |

![CONSORT flow diagram](figure_consort.svg)

![Outcome Y](figure_primary.svg)

### Manifest

```
rctkit 0.1.0
2c8523a37cd9f3ff91ee18f5118b70e00705ba1a4d69e4e531a7df7834e9ca7d  mini.yaml  (plan)
168b0886fafe9b043015c94d84c69c04f86fbc33d22eeef5adc048a891f4b3a4  adsl.csv  (subjects)
b187f08d758eb8eeed9e9841e8fce7be9ba1c96dc2b7c90a951b0bacea835608  meas.csv  (measurements)
aec9a6413e26faace1f498b73ff35851e2d4a7aa35f26054a6195cad365ab5ef  figure_primary.svg  (figure)
bc810ae44e6c1798bf74deff91bf790b31958a54f87fcb5a4bdae059f05df819  figure_consort.svg  (figure)
```
$ rctkit report tests/cli/data/report/mini.yaml --format csv
table,kind,c1,c2,c3,c4,c5
table2,title,Table 2. Primary and secondary outcomes (ITT population),,,,
table2,header,Outcome,Arm A (n = 3),Arm B (n = 2),Difference (95% CI),P
table2,row,Outcome Y,"2.00 (1.00, 3.00)","4.50 (4.00, 5.00)","-2.50 (-4.00, -1.00)",0.149
table2,footnote,"Median (IQR) per group; difference: Hodges-Lehmann estimate of the shift (Arm A minus Arm B) with Moses 95% CI; P: Wilcoxon rank-sum test, normal approximation with continuity correction (SAS NPAR1WAY).",,,,
consort,title,CONSORT flow (counts),,,,
consort,header,Stage,Arm A,Arm B,Total,
consort,row,Randomized,3,2,5,
consort,heading,Analysed,,,,
consort,level,ITT,3,2,5,
manifest,file,plan mini.yaml sha256:2c8523a37cd9f3ff91ee18f5118b70e00705ba1a4d69e4e531a7df7834e9ca7d,,,,
manifest,file,subjects adsl.csv sha256:168b0886fafe9b043015c94d84c69c04f86fbc33d22eeef5adc048a891f4b3a4,,,,
manifest,file,measurements meas.csv sha256:b187f08d758eb8eeed9e9841e8fce7be9ba1c96dc2b7c90a951b0bacea835608,,,,
manifest,file,figure figure_primary.svg sha256:aec9a6413e26faace1f498b73ff35851e2d4a7aa35f26054a6195cad365ab5ef,,,,
manifest,file,figure figure_consort.svg sha256:bc810ae44e6c1798bf74deff91bf790b31958a54f87fcb5a4bdae059f05df819,,,,
$ d=$(mktemp -d); rctkit report tests/cli/data/report/bad_arm.yaml --out $d/out; echo "exit $?"; ls $d; rm -rf $d
rctkit report: tests/cli/data/report/adsl_badarm.csv:3: column 'TRT01P': arm 'Active' is not in the plan (arms: A, B)
exit 2
$ d=$(mktemp -d); rctkit report tests/cli/data/report/bad_dup.yaml --out $d/out; echo "exit $?"; ls $d; rm -rf $d
rctkit report: tests/cli/data/report/adsl_dup.csv:6: column 'USUBJID': duplicate subject ID 's2' (first on line 3)
exit 2
$ d=$(mktemp -d); rctkit report tests/cli/data/report/bad_text.yaml --out $d/out; echo "exit $?"; ls $d; rm -rf $d
rctkit report: tests/cli/data/report/meas_text.csv:4: column 'AVAL': 'three' is not a number
exit 2
$ d=$(mktemp -d); rctkit report tests/cli/data/report/bad_key.yaml --out $d/out; echo "exit $?"; ls $d; rm -rf $d
rctkit report: tests/cli/data/report/bad_key.yaml:11: unknown key 'baselin' in the plan (allowed: title, data, subject_id, arm_variable, site_variable, arms, populations, baseline, endpoints, supplementary_populations, sensitivity, adverse_events, footnotes, derive)
exit 2
$ d=$(mktemp -d); rctkit report tests/cli/data/report/bad_range.yaml --out $d/out; echo "exit $?"; ls $d; rm -rf $d
rctkit report: tests/cli/data/report/meas_range.csv:5: column 'AVAL': 104.5 is outside the plan's range [0, 100] (tests/cli/data/report/bad_range.yaml:11)
exit 2
$ rctkit report tests/cli/data/report/nope.yaml
rctkit report: tests/cli/data/report/nope.yaml: cannot open: No such file or directory
[exit 2]
$ rctkit report tests/cli/data/report/mini.yaml --format xml
rctkit report: unknown report format 'xml' (text, md, csv, html, latex or json)
[exit 2]
$ rctkit report --out x
rctkit report: give the plan file first: rctkit report PLAN.yaml [--out DIR] [--format FMT]
[exit 2]
$ rctkit simulate trial --out /nonexistent/dir
rctkit simulate: --out /nonexistent/dir: cannot create the directory: No such file or directory
[exit 2]
$ rctkit simulate trial --out x --subjects 5
rctkit simulate: the number of randomized subjects must be 20 to 10000000, not 5
[exit 2]
$ rctkit simulate cohort --out x
rctkit simulate: unknown simulation 'cohort' (available: trial)
[exit 2]
