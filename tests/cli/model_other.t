# The other models through the same command (their own tests check the numbers)
$ rctkit model ordinal --data tests/fixtures/models_glm_d05.csv --formula "score ~ group + age" --reference group=Placebo --levels score=1,2,3
Proportional-odds model: score ~ group + age
data: tests/fixtures/models_glm_d05.csv, n = 500 used, 0 dropped for missing values
convention: SAS: logit P(Y <= j) = alpha_j + x'beta; OR of a lower category
converged after 3 iterations; log-likelihood = -548.48163

term           estimate   std.error         z     p-value  95% CI (wald)              odds ratio  95% CI (wald)
1|2           -0.698365     0.32887    -2.124     0.03371  -1.34294 to -0.0537914
2|3            0.658388    0.328693     2.003     0.04517  0.0141615 to 1.30261
groupUC-MSC   0.0556365    0.164613     0.338      0.7354  -0.266999 to 0.378272         1.05721  0.765674 to 1.45976
age         -0.00184955  0.00562703   -0.3287      0.7424  -0.0128783 to 0.00917923     0.998152  0.987204 to 1.00922

null_log_likelihood = -548.5907
aic = 1104.963
lr_statistic = 0.2181272
lr_df = 2
lr_p_value = 0.8966734
po_score_statistic = 6.655415
po_score_df = 2
po_score_p_value = 0.03587526
$ rctkit model mixed --data tests/fixtures/models_glm_d05.csv --formula "chg ~ group + base + (1 | center)"
Linear mixed model: chg ~ group + base + (1 | center)
data: tests/fixtures/models_glm_d05.csv, n = 459 used, 41 dropped for missing values
convention: REML as lme4 (SAS PROC MIXED); Satterthwaite df as lmerTest
converged after 94 iterations; log-likelihood = -1450.6868

term           estimate   std.error         t     p-value  95% CI (t)
(Intercept)     8.69614     1.45782     5.965   4.514e-08  5.80072 to 11.5916
groupUC-MSC     2.93302    0.534586     5.487   6.817e-08  1.88246 to 3.98359
base          -0.261279   0.0256043     -10.2   3.852e-22  -0.311597 to -0.210961

sd_intercept = 1.549359
sigma = 5.630632
var_intercept = 2.400512
var_residual = 31.70401
theta = 0.275166
icc = 0.0703869
n_clusters = 6
reml = 1
$ rctkit model cox --data tests/fixtures/models_glm_ovarian.csv --formula "~ arm + age" --time futime --event fustat
Cox proportional hazards: ~ arm + age
data: tests/fixtures/models_glm_ovarian.csv, n = 26 used, 0 dropped for missing values
convention: R survival::coxph: log hazard ratio per unit of the covariate, Efron ties
converged after 5 iterations; log-likelihood = -27.042743

term    estimate   std.error         z     p-value  95% CI (wald)             hazard ratio  95% CI (wald)
armB   -0.803622    0.632069    -1.271      0.2036  -2.04245 to 0.43521          0.447705  0.12971 to 1.54529
age     0.147326   0.0461539     3.192    0.001413  0.0568662 to 0.237786         1.15873  1.05851 to 1.26844

loglik_null = -34.98494
lr_statistic = 15.8844
lr_df = 2
lr_p_value = 0.0003554245
wald_statistic = 13.46647
wald_df = 2
wald_p_value = 0.001190675
score_statistic = 18.55495
score_df = 2
score_p_value = 9.35069e-05
n_events = 12
note: 12 events; Newton-Raphson converged in 5 iterations (coxph eps 1e-09)
$ rctkit model cox --data tests/fixtures/models_glm_ovarian.csv --formula "~ arm" --time futime
rctkit model cox: cox needs --event COL
[exit 2]
$ rctkit model
usage: rctkit model MODEL --data FILE.csv --formula F [options]

models:
  linear     linear regression / ANCOVA (least squares, t tests, LS means)
  logistic   binary logistic regression (odds ratios)
  ordinal    proportional-odds (cumulative logit) model
  mixed      linear mixed model with a random intercept (REML)
  cox        Cox proportional hazards (--time, --event, formula "~ group")

Run 'rctkit model MODEL --help' for the options.
[exit 2]
$ rctkit model --help
usage: rctkit model MODEL --data FILE.csv --formula F [options]

models:
  linear     linear regression / ANCOVA (least squares, t tests, LS means)
  logistic   binary logistic regression (odds ratios)
  ordinal    proportional-odds (cumulative logit) model
  mixed      linear mixed model with a random intercept (REML)
  cox        Cox proportional hazards (--time, --event, formula "~ group")

Run 'rctkit model MODEL --help' for the options.
