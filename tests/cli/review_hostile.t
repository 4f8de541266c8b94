# Hostile input found by the adversarial review: each must fail cleanly (message, exit 2).
$ rctkit test wilcoxon --data tests/cli/data/three_arms.csv --value value --group arm --levels A,A
rctkit test wilcoxon: --levels: level 'A' given twice
[exit 2]
