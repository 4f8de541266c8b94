# rctkit survival: Kaplan-Meier and log-rank on tests/cli/data/ttci.csv (made by
# tests/fixtures/make_cli_survival.R).  Every number agrees with R survival 3.5-3 (survfit,
# summary.survfit, survdiff) as printed in tests/fixtures/cli_survival_R.txt; the JSON values
# to 1e-10 (python3 tests/fixtures/check_cli_survival.py).  --died with the default rule censors
# deaths before improvement at the end of follow-up; rule never gives the same data (only the
# words differ); rule death censors them at the death time.  Errors last.
$ rctkit survival km --data tests/cli/data/ttci.csv --time days --event improved --group group
Kaplan-Meier estimate: time days, event improved, by group
data: tests/cli/data/ttci.csv, n = 58 used, 2 dropped for missing values
95% confidence intervals: log (R survfit conf.type "log"); std.err: Greenwood SE of S(t)

group         n  events    median     lower     upper
Placebo      29      19        15        14        26
UC-MSC       29      25         7         5        16
(median time to the event with its 95% CI, as R print.survfit; NA = not reached)

group = Placebo
     time  n.risk n.event  survival   std.err     lower     upper
        1      29       1   0.96552  0.033883   0.90134         1
        2      28       2   0.89655  0.056552   0.79229         1
        3      26       1   0.86207  0.064033   0.74527   0.99717
        4      24       1   0.82615  0.070726   0.69854   0.97708
        6      23       1   0.79023  0.076228    0.6541   0.95469
        7      22       1   0.75431  0.080784   0.61149   0.93049
        8      21       1   0.71839  0.084546   0.57041   0.90477
       11      18       1   0.67848  0.088771   0.52501   0.87681
       14      16       3   0.55127  0.097904   0.38921   0.78079
       15      12       2   0.45939   0.10086   0.29874   0.70644
       16      10       1   0.41345    0.1007   0.25651    0.6664
       17       9       1   0.36751  0.099437   0.21625   0.62457
       22       8       1   0.32157  0.097041     0.178   0.58096
       24       7       1   0.27563  0.093421   0.14185   0.53559
       26       5       1   0.22051  0.089536  0.099493   0.48871

group = UC-MSC
     time  n.risk n.event  survival   std.err     lower     upper
        1      29       2   0.93103  0.047054   0.84323         1
        2      27       2   0.86207  0.064033   0.74527   0.99717
        3      24       2   0.79023  0.076228    0.6541   0.95469
        4      22       1   0.75431  0.080784   0.61149   0.93049
        5      21       3   0.64655  0.090068   0.49207   0.84953
        7      18       6   0.43103  0.093629   0.28159   0.65979
        8      12       1   0.39511   0.09246   0.24977   0.62504
       10      11       1    0.3592  0.090764    0.2189   0.58941
       15       8       2    0.2694  0.087509   0.14253    0.5092
       16       6       3    0.1347  0.070274  0.048448   0.37449
       24       3       1  0.089799  0.059488  0.024512   0.32897
       27       2       1  0.044899  0.043505 0.0067216   0.29992
$ rctkit survival km --data tests/cli/data/ttci.csv --time days --event improved --group group --levels UC-MSC,Placebo --died died --death-time death_day --followup 28
Kaplan-Meier estimate: time days, event improved, by group
data: tests/cli/data/ttci.csv, n = 58 used, 2 dropped for missing values
died without the event (died): 6, censored at the end of follow-up, time 28 [--death-rule followup]
95% confidence intervals: log (R survfit conf.type "log"); std.err: Greenwood SE of S(t)

group         n  events    median     lower     upper
UC-MSC       29      25         7         7        16
Placebo      29      19        15        14        NA
(median time to the event with its 95% CI, as R print.survfit; NA = not reached)

group = UC-MSC
     time  n.risk n.event  survival   std.err     lower     upper
        1      29       2   0.93103  0.047054   0.84323         1
        2      27       2   0.86207  0.064033   0.74527   0.99717
        3      25       2    0.7931  0.075222   0.65856   0.95513
        4      23       1   0.75862  0.079463   0.61782    0.9315
        5      22       3   0.65517  0.088263   0.50313   0.85315
        7      19       6   0.44828   0.09235   0.29936   0.67128
        8      13       1   0.41379  0.091457   0.26832   0.63814
       10      12       1   0.37931  0.090102   0.23812   0.60421
       15      10       2   0.30345   0.08659   0.17346   0.53086
       16       8       3   0.18966   0.07501  0.087359   0.41174
       24       5       1   0.15172  0.068935  0.062276   0.36965
       27       4       1   0.11379  0.061254   0.03962   0.32682

group = Placebo
     time  n.risk n.event  survival   std.err     lower     upper
        1      29       1   0.96552  0.033883   0.90134         1
        2      28       2   0.89655  0.056552   0.79229         1
        3      26       1   0.86207  0.064033   0.74527   0.99717
        4      25       1   0.82759  0.070145   0.70092   0.97715
        6      24       1    0.7931  0.075222   0.65856   0.95513
        7      23       1   0.75862  0.079463   0.61782    0.9315
        8      22       1   0.72414  0.082996   0.57844   0.90653
       11      20       1   0.68793  0.086384   0.53785   0.87989
       14      18       3   0.57328  0.093987   0.41573   0.79053
       15      14       2   0.49138   0.09677   0.33403   0.72285
       16      12       1   0.45043  0.096983   0.29536   0.68691
       17      11       1   0.40948  0.096425    0.2581   0.64964
       22      10       1   0.36853   0.09508   0.22227   0.61106
       24       9       1   0.32759  0.092916   0.18789   0.57116
       26       8       1   0.28664  0.089873   0.15504   0.52993
$ rctkit survival km --data tests/cli/data/ttci.csv --time days --event improved --conf-type log-log --conf-level 0.9 --format json | head -40
{
  "method": "Kaplan-Meier",
  "data": "tests/cli/data/ttci.csv",
  "time": "days",
  "event": "improved",
  "group": null,
  "n": 58,
  "n_dropped": 2,
  "death_rule": null,
  "conf_level": 0.90000000000000002,
  "conf_type": "log-log",
  "curves": [
    {
      "level": "all",
      "n": 58,
      "events": 44.0,
      "median": 14.0,
      "median_conf_int": [
        7.0,
        15.0
      ],
      "table": [
        {
          "time": 1.0,
          "n_risk": 58.0,
          "n_event": 3.0,
          "n_censor": 0.0,
          "survival": 0.94827586206896552,
          "std_err": 0.02908037360617265,
          "std_err_log": 0.030666575802872974,
          "conf_int": [
            0.87171323050277794,
            0.97966509273280233
          ]
        },
        {
          "time": 2.0,
          "n_risk": 55.0,
          "n_event": 4.0,
          "n_censor": 1.0,
$ rctkit survival logrank --data tests/cli/data/ttci.csv --time days --event improved --group group
Log-rank test: time days, event improved, by group
data: tests/cli/data/ttci.csv, n = 58 used, 2 dropped for missing values

group         N  observed  expected  (O-E)^2/E  (O-E)^2/V
Placebo      29        19    25.837      1.809      4.891
UC-MSC       29        25    18.163      2.574      4.891

chi-square = 4.890805 on 1 df, p-value = 0.0270001
$ rctkit survival logrank --data tests/cli/data/ttci.csv --time days --event improved --group group --strata center
Log-rank test: time days, event improved, by group, stratified by center
data: tests/cli/data/ttci.csv, n = 58 used, 2 dropped for missing values

group         N  observed  expected  (O-E)^2/E  (O-E)^2/V
Placebo      29        19    25.854      1.817      5.618
UC-MSC       29        25    18.146      2.589      5.618

chi-square = 5.618183 on 1 df, p-value = 0.01777507
$ rctkit survival logrank --data tests/cli/data/ttci.csv --time days --event improved --group group --strata center --died died --death-time death_day --followup 28 --format json
{
  "method": "log-rank (R survdiff, rho = 0)",
  "data": "tests/cli/data/ttci.csv",
  "time": "days",
  "event": "improved",
  "group": "group",
  "n": 58,
  "n_dropped": 2,
  "death_rule": {
    "column": "died",
    "rule": "followup",
    "followup": 28.0,
    "n_died_without_event": 6
  },
  "strata": "center",
  "n_strata": 3,
  "statistic": 3.8254067931648166,
  "df": 1.0,
  "p_value": 0.050481092612924446,
  "groups": [
    {
      "level": "Placebo",
      "n": 29,
      "observed": 19.0,
      "expected": 25.04315359992605,
      "variance": 9.5466201130692916
    },
    {
      "level": "UC-MSC",
      "n": 29,
      "observed": 25.0,
      "expected": 18.956846400073953,
      "variance": 9.5466201130692916
    }
  ]
}
$ rctkit survival logrank --data tests/cli/data/ttci.csv --time days --event improved --group group --strata center --died died --followup 28 --death-rule never
Log-rank test: time days, event improved, by group, stratified by center
data: tests/cli/data/ttci.csv, n = 58 used, 2 dropped for missing values
died without the event (died): 6, never have it: kept at risk to the end of follow-up, time 28 [--death-rule never]

group         N  observed  expected  (O-E)^2/E  (O-E)^2/V
Placebo      29        19    25.043      1.458      3.825
UC-MSC       29        25    18.957      1.926      3.825

chi-square = 3.825407 on 1 df, p-value = 0.05048109
$ rctkit survival logrank --data tests/cli/data/ttci.csv --time days --event improved --group group --died died --death-time death_day --followup 28 --death-rule death
Log-rank test: time days, event improved, by group
data: tests/cli/data/ttci.csv, n = 58 used, 2 dropped for missing values
died without the event (died): 6, censored at the time of death [--death-rule death]

group         N  observed  expected  (O-E)^2/E  (O-E)^2/V
Placebo      29        19    25.837      1.809      4.891
UC-MSC       29        25    18.163      2.574      4.891

chi-square = 4.890805 on 1 df, p-value = 0.0270001
$ rctkit survival
usage: rctkit survival ANALYSIS --data FILE.csv --time COL --event COL [options]

analyses:
  km         Kaplan-Meier curves (Greenwood SE, log CI) and median with CI per group
  logrank    log-rank test (R survdiff), stratified with --strata

Run 'rctkit survival ANALYSIS --help' for the options.
[exit 2]
$ rctkit survival --help
usage: rctkit survival ANALYSIS --data FILE.csv --time COL --event COL [options]

analyses:
  km         Kaplan-Meier curves (Greenwood SE, log CI) and median with CI per group
  logrank    log-rank test (R survdiff), stratified with --strata

Run 'rctkit survival ANALYSIS --help' for the options.
$ rctkit survival km --help
usage: rctkit survival km --data FILE.csv --time COL --event COL [options]

Kaplan-Meier curves per group with Greenwood standard errors, pointwise CIs and the median with its CI (R survfit).

options:
  --data FILE.csv              data set, one row per patient
  --time COL                   follow-up time (e.g. days to improvement or last seen)
  --event COL                  1 = event (e.g. improved), 0 = censored
  --died COL                   1 = died without the event: a competing terminal event (--death-rule)
  --death-time COL             time of death (default: the --time value of that row)
  --followup T                 end of follow-up (required with --died; every time must be <= T)
  --death-rule RULE            followup (default): censored at T; death: censored at death; never
  --group COL                  treatment arm (km: optional, one curve per level; logrank: required)
  --levels A,B,...             group order; only these levels are used (default: all, sorted)
  --strata COL                 logrank: stratified test (e.g. center), risk sets within strata
  --conf-level P               km: confidence level (default 0.95)
  --conf-type TYPE             km: log (default, as R survfit), log-log or plain
  --format FMT                 text (default) or json
  --help                       show this help
$ rctkit survival curve --data tests/cli/data/ttci.csv
rctkit survival: unknown analysis 'curve'

usage: rctkit survival ANALYSIS --data FILE.csv --time COL --event COL [options]

analyses:
  km         Kaplan-Meier curves (Greenwood SE, log CI) and median with CI per group
  logrank    log-rank test (R survdiff), stratified with --strata

Run 'rctkit survival ANALYSIS --help' for the options.
[exit 2]
$ rctkit survival logrank --data tests/cli/data/ttci.csv --time days --event improved
rctkit survival logrank: logrank needs --group COL
[exit 2]
$ rctkit survival km --data tests/cli/data/ttci.csv --time days --event improved --strata center
rctkit survival km: --strata applies to logrank, not km
[exit 2]
$ rctkit survival logrank --data tests/cli/data/ttci.csv --time days --event improved --group group --conf-type plain
rctkit survival logrank: --conf-level and --conf-type apply to km, not logrank
[exit 2]
$ rctkit survival km --data tests/cli/data/ttci.csv --time days --event died --conf-type straight
rctkit survival km: unknown survival CI type 'straight' (expected log, log-log or plain)
[exit 2]
$ rctkit survival km --data tests/cli/data/ttci.csv --time days --event days
rctkit survival km: tests/cli/data/ttci.csv, line 3: --event column 'days' must be 0 or 1, got '8'
[exit 2]
$ rctkit survival km --data tests/cli/data/ttci.csv --time group --event improved
rctkit survival km: tests/cli/data/ttci.csv, line 2: --time column 'group' must be numeric, got 'Placebo'
[exit 2]
$ rctkit survival km --data tests/cli/data/ttci.csv --time days --event improved --died died
rctkit survival km: --died needs --followup T, the end of follow-up (e.g. 28)
[exit 2]
$ rctkit survival km --data tests/cli/data/ttci.csv --time days --event improved --followup 28
rctkit survival km: --followup needs --died COL (the death flag)
[exit 2]
$ rctkit survival km --data tests/cli/data/ttci.csv --time days --event improved --died died --followup 20
rctkit survival km: tests/cli/data/ttci.csv, line 17: time 28 is after the end of follow-up (--followup 20)
[exit 2]
$ rctkit survival km --data tests/cli/data/ttci.csv --time days --event improved --died died --followup 28 --death-rule sometimes
rctkit survival km: unknown rule for deaths before improvement 'sometimes' (expected followup, death or never)
[exit 2]
$ rctkit survival km --data tests/cli/data/ttci.csv --time days --event improved --died improved --death-time id --followup 28
rctkit survival km: tests/cli/data/ttci.csv, line 5: died (time 4) before the recorded event (time 15)
[exit 2]
$ rctkit survival km --data tests/cli/data/ttci.csv --time days --event improved --group group --levels Placebo,Stem
rctkit survival km: tests/cli/data/ttci.csv: group 'Stem' of 'group' has no rows with a time and event
[exit 2]
$ rctkit survival km --data tests/cli/data/ttci.csv --time days --event improved --group arm
rctkit survival km: tests/cli/data/ttci.csv: no column 'arm' (columns: id, group, center, days, improved, died, death_day)
[exit 2]
$ rctkit survival logrank --data tests/cli/data/ttci.csv --time days --event improved --group group --levels Placebo
rctkit survival logrank: log-rank test needs at least 2 groups (got 1)
[exit 2]
$ rctkit survival km --data tests/cli/data/ttci.csv --time days --event improved --conf-level 1.5
rctkit survival km: confidence level 1.5 is outside (0, 1)
[exit 2]
$ rctkit survival km --data tests/cli/data/ttci.csv --time days --event improved --died died --followup -3
rctkit survival km: --followup must be > 0, not '-3'
[exit 2]
$ rctkit survival km --data tests/cli/data/nope.csv --time days --event improved
rctkit survival km: tests/cli/data/nope.csv: cannot open: No such file or directory
[exit 2]
