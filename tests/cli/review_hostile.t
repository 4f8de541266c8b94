# Found by the adversarial review: hostile input must fail cleanly (message, exit 2); outputs must match R.
# review_constant.csv has a constant response: R lm warns "essentially perfect fit"; rctkit printed f_statistic = -2.
$ rctkit test wilcoxon --data tests/cli/data/three_arms.csv --value value --group arm --levels A,A
rctkit test wilcoxon: --levels: level 'A' given twice
[exit 2]
$ rctkit model linear --data tests/cli/data/review_constant.csv --formula "y ~ g"
rctkit model linear: the model fits the response exactly (no residual variation: is the response constant, or determined by the covariates?); standard errors and tests are undefined
[exit 2]
$ rctkit model linear --data tests/cli/data/review_constant.csv --formula "y ~ x"
rctkit model linear: the model fits the response exactly (no residual variation: is the response constant, or determined by the covariates?); standard errors and tests are undefined
[exit 2]
$ rctkit test fisher --table 1099511627776,1/1,1099511627776
rctkit test fisher: Fisher's exact test: margins too large (1099511627778 possible tables); use the chi-square test
[exit 1]
$ rctkit test ttest --x 1,2,3 --y 1,2,4 --paired
Paired t-test
data: x (n = 3) and y (n = 3)
t = -1, df = 2, p-value = 0.4226497 (two-sided)
estimate: mean difference = -0.3333333
95% confidence interval: -1.767551 to 1.100884
mean_difference = -0.3333333, std_error = 0.3333333, mu = 0
$ rctkit describe --data tests/cli/data/three_arms.csv --value sex --group arm --levels A,A
rctkit describe: --levels: group 'A' given twice
[exit 2]
$ rctkit describe --data tests/cli/data/three_arms.csv --value sex --group arm --levels C,A
sex, n (%) of non-missing values
level                                 C                  A
F                             0 (0.00%)         1 (33.33%)
M                           1 (100.00%)         2 (66.67%)
missing                               0                  0
$ rctkit describe --data tests/cli/data/three_arms.csv --value sex --group arm --levels A,
rctkit describe: --levels: empty level in 'A,'
[exit 2]
$ rctkit describe --data tests/cli/data/three_arms.csv --value sex --group arm --levels NA,A
rctkit describe: --levels: no rows have group 'NA'
[exit 2]
$ rctkit survival km --data tests/cli/data/review_header_only.csv --time time --event event --group arm
rctkit survival km: tests/cli/data/review_header_only.csv: no rows left after dropping missing values
[exit 2]
