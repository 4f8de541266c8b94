# Usage and input errors: a clear message on stderr and exit code 2.
$ rctkit
usage: rctkit [--version] [--help] COMMAND [options]

rctkit runs a randomized controlled trial's statistics, exactly as the analysis plan says.

commands:
  test       hypothesis tests: wilcoxon, signed-rank, fisher, chisq, kruskal, ttest, anova
  describe   descriptive summaries: n, mean (SD), median (IQR), n (%)
  ci         distribution-free confidence interval for a median or quantile
  model      regression models: linear, logistic, ordinal, mixed, cox
  rand       randomization: list (write a design's list), assess (its quality figures)
  survival   Kaplan-Meier curves and medians, log-rank test (stratified)
  trial      create a trial database from its files (design, sites, users, list)
  serve      run the concealed-allocation server (HTTP + JSON)
  audit      verify the audit trail's hash chain, replay dynamic allocations
  data       trial data sets: check, derive (populations, change, LOCF), convert
  supply     blinded kits, labels, cold chain, kit scans, visit schedule, supply reports
  report     the paper's tables (baseline, outcomes, AEs, CONSORT) from an analysis plan
  simulate   synthetic trial data calibrated to the seed trial (the demo)

Run 'rctkit COMMAND --help' for a command's options.
Exit codes: 0 success, 1 statistical or run-time failure, 2 bad input or usage.
[exit 2]
$ rctkit frobnicate
rctkit: unknown command 'frobnicate'

usage: rctkit [--version] [--help] COMMAND [options]

rctkit runs a randomized controlled trial's statistics, exactly as the analysis plan says.

commands:
  test       hypothesis tests: wilcoxon, signed-rank, fisher, chisq, kruskal, ttest, anova
  describe   descriptive summaries: n, mean (SD), median (IQR), n (%)
  ci         distribution-free confidence interval for a median or quantile
  model      regression models: linear, logistic, ordinal, mixed, cox
  rand       randomization: list (write a design's list), assess (its quality figures)
  survival   Kaplan-Meier curves and medians, log-rank test (stratified)
  trial      create a trial database from its files (design, sites, users, list)
  serve      run the concealed-allocation server (HTTP + JSON)
  audit      verify the audit trail's hash chain, replay dynamic allocations
  data       trial data sets: check, derive (populations, change, LOCF), convert
  supply     blinded kits, labels, cold chain, kit scans, visit schedule, supply reports
  report     the paper's tables (baseline, outcomes, AEs, CONSORT) from an analysis plan
  simulate   synthetic trial data calibrated to the seed trial (the demo)

Run 'rctkit COMMAND --help' for a command's options.
Exit codes: 0 success, 1 statistical or run-time failure, 2 bad input or usage.
[exit 2]
$ rctkit test wilcoxon --x 1,2,abc --y 3,4
rctkit test wilcoxon: --x: item 3: 'abc' is not a number
[exit 2]
$ rctkit test wilcoxon --x 1,2,nan --y 3,4
rctkit test wilcoxon: --x: item 3: 'nan' is not a number
[exit 2]
$ rctkit test wilcoxon --x 1,2,,3 --y 3,4
rctkit test wilcoxon: --x: item 3: empty item (two commas in a row?)
[exit 2]
$ rctkit test wilcoxon --x 1,2 --y 3,inf
rctkit test wilcoxon: --y: item 2: 'inf' is not a number
[exit 2]
$ rctkit test wilcoxon --x 1,2 --y 3 --conf-level 1.5
rctkit test wilcoxon: --conf-level 1.5 is outside (0, 1)
[exit 2]
$ rctkit test wilcoxon --x 1,2 --y 3 --conf-level abc
rctkit test wilcoxon: --conf-level: 'abc' is not a number
[exit 2]
$ rctkit test wilcoxon --x 1,2 --y 3 --alternative bigger
rctkit test wilcoxon: unknown alternative 'bigger' (expected two-sided, less or greater)
[exit 2]
$ rctkit test wilcoxon --x 1,2 --y 3 --exact --asymptotic
rctkit test wilcoxon: --exact and --asymptotic exclude each other
[exit 2]
$ rctkit test wilcoxon --x 1,2 --bogus 3
rctkit test wilcoxon: unknown option '--bogus' (see --help)
[exit 2]
$ rctkit test wilcoxon --x 1,2 --y
rctkit test wilcoxon: option --y needs a value (LIST)
[exit 2]
$ rctkit test wilcoxon --x 1,2
rctkit test wilcoxon: this test needs two samples: give --y too
[exit 2]
$ rctkit test wilcoxon --data tests/cli/data/bad_cell.csv --value value --group arm
rctkit test wilcoxon: tests/cli/data/bad_cell.csv:4: column 'value': 'x3' is not a number
[exit 2]
$ rctkit test wilcoxon --data tests/cli/data/three_arms.csv --value value --group arm
rctkit test wilcoxon: tests/cli/data/three_arms.csv: column 'arm' has 3 groups; this test compares two (choose them with --levels A,B)
[exit 2]
$ rctkit test wilcoxon --data tests/cli/data/three_arms.csv --value dose --group arm
rctkit test wilcoxon: tests/cli/data/three_arms.csv: no column 'dose' (columns: id, arm, value, sex)
[exit 2]
$ rctkit test wilcoxon --data tests/cli/data/three_arms.csv --value value --group arm --levels A,D
rctkit test wilcoxon: tests/cli/data/three_arms.csv: group 'D' has no non-missing values of 'value'
[exit 2]
$ rctkit test wilcoxon --data tests/cli/data/nope.csv --value value --group arm
rctkit test wilcoxon: tests/cli/data/nope.csv: cannot open: No such file or directory
[exit 2]
$ rctkit test fisher --table 7,5/5
rctkit test fisher: --table: row 2 has 1 cells but row 1 has 2
[exit 2]
$ rctkit test fisher --table 7,-5/5,24
rctkit test fisher: --table: row 1, cell 2 is not a non-negative whole number (expected e.g. 7,5/5,24)
[exit 2]
$ rctkit test fisher --table 7,5.5/5,24
rctkit test fisher: --table: unexpected '.' in row 1
[exit 2]
$ rctkit test fisher --table 7,5/5,24 --no-correct
rctkit test fisher: --no-correct applies to chisq, not fisher
[exit 2]
$ rctkit test chisq --table 7,5/5,24 --alternative less
rctkit test chisq: chi-square takes no --alternative or --conf-level
[exit 2]
$ rctkit test chisq
rctkit test chisq: --table is required (e.g. --table 7,5/5,24)
[exit 2]
$ rctkit test kruskal --data tests/cli/data/three_arms.csv --value value
rctkit test kruskal: needs --data FILE.csv --value COL --group COL
[exit 2]
$ rctkit test ttest --x 1,2,3 --y 4,5 --paired
rctkit test ttest: paired samples differ in length: x has 3, y has 2
[exit 2]
$ rctkit describe --x 1,2 --data tests/cli/data/three_arms.csv
rctkit describe: give either --x LIST or --data FILE.csv --value COL
[exit 2]
$ rctkit describe --x 1,2 --quantile-type 10
rctkit describe: --quantile-type must be 1 to 9, not '10'
[exit 2]
$ rctkit describe --x 1,2 --format xml
rctkit describe: --format: unknown format 'xml' (text or json)
[exit 2]
$ rctkit ci mean --x 1,2
usage: rctkit ci median [options]   (rctkit ci median --help)
[exit 2]
$ rctkit test nosuch
rctkit test: unknown test 'nosuch'
usage: rctkit test TEST [options]   (rctkit test TEST --help for each)

tests:
  wilcoxon      Wilcoxon rank-sum / Mann-Whitney, exact with ties, Hodges-Lehmann CI
  signed-rank   Wilcoxon signed-rank (one-sample or paired), Walsh-average estimate
  fisher        Fisher's exact test (2x2 with odds ratio, or r x c)
  chisq         Pearson chi-square test (Yates for 2x2 unless --no-correct)
  kruskal       Kruskal-Wallis rank-sum test
  ttest         Student, Welch, paired or one-sample t-test
  anova         one-way analysis of variance
[exit 2]
$ rctkit --version
rctkit 0.1.0
