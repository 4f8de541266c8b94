# Frequency weights: tests/cli/data/po_grouped.csv holds tests/cli/data/po_expanded.csv as counts
# per cell (column n; both made by tests/fixtures/make_cli_models.R).  The weighted fit on the 30
# cells equals the fit on the 200 patients for ordinal, logistic and linear (all but the data
# line, which names the file).  The ordinal estimates agree with ordinal::clm to 1e-11 and with
# MASS::polr to its looser optim tolerance (~1e-5; tests/fixtures/cli_models_R.txt).  Then Cox
# with --strata and --died (R: coxph(Surv(t, improved) ~ group + strata(center)) with deaths
# censored at day 28, tests/fixtures/cli_survival_R.txt), and the options' errors.
$ diff <(rctkit model ordinal --data tests/cli/data/po_expanded.csv --formula "score ~ group + center" --reference group=Placebo --convention r | tail -n +3) <(rctkit model ordinal --data tests/cli/data/po_grouped.csv --weight n --formula "score ~ group + center" --reference group=Placebo --convention r | tail -n +3) && echo identical
identical
$ diff <(rctkit model logistic --data tests/cli/data/po_expanded.csv --formula "better ~ group + center" --reference group=Placebo | tail -n +3) <(rctkit model logistic --data tests/cli/data/po_grouped.csv --weight n --formula "better ~ group + center" --reference group=Placebo | tail -n +3) && echo identical
identical
$ diff <(rctkit model linear --data tests/cli/data/po_expanded.csv --formula "score ~ group + center" --reference group=Placebo | tail -n +3) <(rctkit model linear --data tests/cli/data/po_grouped.csv --weight n --formula "score ~ group + center" --reference group=Placebo | tail -n +3) && echo identical
identical
$ rctkit model ordinal --data tests/cli/data/po_grouped.csv --weight n --formula "score ~ group + center" --reference group=Placebo --convention r
Proportional-odds model: score ~ group + center
data: tests/cli/data/po_grouped.csv, n = 200 used, 0 dropped for missing values
convention: R (MASS::polr): logit P(Y <= j) = theta_j - x'beta; OR of a higher category
converged after 4 iterations; log-likelihood = -308.62592

term           estimate   std.error         z     p-value  95% CI (wald)              odds ratio  95% CI (wald)
1|2            -1.24252    0.278437    -4.462   8.102e-06  -1.78825 to -0.696794
2|3           -0.226601    0.260874   -0.8686      0.3851  -0.737905 to 0.284704
3|4             0.68749    0.267294     2.572     0.01011  0.163602 to 1.21138
4|5             1.95376    0.301383     6.483   9.012e-11  1.36306 to 2.54446
groupUC-MSC     0.85721    0.259114     3.308   0.0009389  0.349355 to 1.36506           2.35658  1.41815 to 3.91597
centerC2       0.096733    0.296551    0.3262      0.7443  -0.484497 to 0.677963         1.10157  0.616007 to 1.96986
centerC3       -0.90972    0.327618    -2.777     0.00549  -1.55184 to -0.267602        0.402637  0.211858 to 0.765213

null_log_likelihood = -320.8614
aic = 631.2518
lr_statistic = 24.47102
lr_df = 3
lr_p_value = 1.991687e-05
po_score_statistic = 14.13494
po_score_df = 9
po_score_p_value = 0.1176056
$ rctkit model cox --data tests/cli/data/ttci.csv --formula "~ group" --time days --event improved --strata center --died died --death-time death_day --followup 28
Cox proportional hazards: ~ group
data: tests/cli/data/ttci.csv, n = 58 used, 2 dropped for missing values
convention: R survival::coxph: log hazard ratio per unit of the covariate, Efron ties; strata(center)
died without the event (died): 6, censored at the end of follow-up, time 28 [--death-rule followup]
converged after 3 iterations; log-likelihood = -102.98325

term           estimate   std.error         z     p-value  95% CI (wald)             hazard ratio  95% CI (wald)
groupUC-MSC    0.626695    0.315073     1.989      0.0467  0.00916372 to 1.24423         1.87141  1.00921 to 3.47025

loglik_null = -104.989
lr_statistic = 4.011458
lr_df = 1
lr_p_value = 0.04519205
wald_statistic = 3.956314
wald_df = 1
wald_p_value = 0.04669585
score_statistic = 4.065382
score_df = 1
score_p_value = 0.04377078
n_events = 44
note: 44 events; Newton-Raphson converged in 3 iterations (coxph eps 1e-09)
$ rctkit model cox --data tests/cli/data/ttci.csv --formula "~ group" --time days --event improved --strata center --format json | head -8
{
  "model": "cox",
  "convention": "R survival::coxph: log hazard ratio per unit of the covariate, Efron ties; strata(center)",
  "formula": "~ group",
  "data": "tests/cli/data/ttci.csv",
  "n": 58,
  "n_dropped": 2,
  "converged": true,
$ rctkit model cox --data tests/cli/data/ttci.csv --formula "~ group" --time days --event improved --died died --followup 28 --death-rule never --format json | head -12
{
  "model": "cox",
  "convention": "R survival::coxph: log hazard ratio per unit of the covariate, Efron ties",
  "formula": "~ group",
  "data": "tests/cli/data/ttci.csv",
  "death_rule": {
    "column": "died",
    "rule": "never",
    "followup": 28.0,
    "n_died_without_event": 6
  },
  "n": 58,
$ rctkit model cox --data tests/cli/data/po_grouped.csv --weight n --formula "~ group" --time score --event better
rctkit model cox: --weight is not available for cox (case weights are not implemented): give one row per patient
[exit 2]
$ rctkit model mixed --data tests/cli/data/po_grouped.csv --weight n --formula "score ~ group + (1 | center)"
rctkit model mixed: mixed model: weights are not supported (expand grouped data to one row per patient)
[exit 2]
$ rctkit model linear --data tests/cli/data/po_grouped.csv --formula "score ~ group" --strata center
rctkit model linear: --strata applies to cox, not linear
[exit 2]
$ rctkit model ordinal --data tests/cli/data/po_grouped.csv --formula "score ~ group" --time score
rctkit model ordinal: --time applies to cox, not ordinal
[exit 2]
$ rctkit model cox --data tests/cli/data/ttci.csv --formula "~ group" --time days --event improved --strata site
rctkit model cox: tests/cli/data/ttci.csv: no column 'site' (columns: id, group, center, days, improved, died, death_day)
[exit 2]
$ rctkit model cox --data tests/cli/data/ttci.csv --formula "~ group" --event improved
rctkit model cox: cox needs --time COL
[exit 2]
$ rctkit model cox --data tests/cli/data/ttci.csv --formula "~ group" --time days --event improved --died died --followup 14
rctkit model cox: tests/cli/data/ttci.csv, line 5: time 15 is after the end of follow-up (--followup 14)
[exit 2]
