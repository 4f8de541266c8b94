# Hostile input found by the adversarial review: each must fail cleanly (message, exit 2).
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
