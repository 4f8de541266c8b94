# ANCOVA: change adjusted for baseline and center; values equal R lm (tests/models/test_linear.c)
$ rctkit model linear --data tests/fixtures/models_glm_d01.csv --formula "chg ~ group + base + center" --reference group=Placebo
Linear regression (least squares): chg ~ group + base + center
data: tests/fixtures/models_glm_d01.csv, n = 28 used, 2 dropped for missing values
convention: least squares; t tests on n - p df; LS means at covariate means (SAS LSMEANS)
log-likelihood = -90.31039

term           estimate   std.error         t     p-value  95% CI (t)
(Intercept)     6.34459     7.45003    0.8516      0.4032  -9.06697 to 21.7562
groupUC-MSC     3.32585     2.69782     1.233      0.2301  -2.25501 to 8.90671
base          -0.171388    0.132487    -1.294      0.2086  -0.445458 to 0.102681
centerC2       -1.80634      3.0329   -0.5956      0.5573  -8.08038 to 4.4677
centerC3       -3.01412     3.27185   -0.9212      0.3665  -9.78246 to 3.75421

sigma = 6.717981
r_squared = 0.17607
adj_r_squared = 0.03277782
df_residual = 23
f_statistic = 1.228748
f_p_value = 0.326164
lsmean_Placebo = -3.570275
lsmean_se_Placebo = 2.077243
lsmean_UC-MSC = -0.2444255
lsmean_se_UC-MSC = 1.663826
lsmean_diff = 3.32585
lsmean_diff_se = 2.697817
$ rctkit model linear --data tests/fixtures/models_glm_d07.csv --formula "chg ~ group" --format json
{
  "model": "linear",
  "convention": "least squares; t tests on n - p df; LS means at covariate means (SAS LSMEANS)",
  "formula": "chg ~ group",
  "data": "tests/fixtures/models_glm_d07.csv",
  "n": 45,
  "n_dropped": 0,
  "converged": true,
  "iterations": 0,
  "log_likelihood": -132.55399419527319,
  "deviance": 265.10798839054638,
  "ci_method": "t",
  "conf_level": 0.94999999999999996,
  "coefficients": [
    {
      "term": "(Intercept)",
      "estimate": -4.7465000000000002,
      "std_error": 1.0529237648809917,
      "statistic": -4.5079237056981807,
      "df": 43.0,
      "conf_int": [
        -6.869923143017088,
        -2.6230768569829128
      ],
      "p_value": 4.9796605406103039e-5
    },
    {
      "term": "groupUC-MSC",
      "estimate": 4.4308999999999994,
      "std_error": 1.4126454680393425,
      "statistic": 3.1365973276718839,
      "df": 43.0,
      "conf_int": [
        1.5820289043305191,
        7.2797710956694797
      ],
      "p_value": 0.0030810071173605074
    }
  ],
  "extra": {
    "sigma": 4.7088182267978071,
    "r_squared": 0.18619549544730429,
    "adj_r_squared": 0.16726980929491608,
    "df_residual": 43.0,
    "f_statistic": 9.838242795958438,
    "f_p_value": 0.0030810071173604722,
    "lsmean_Placebo": -4.7465000000000002,
    "lsmean_se_Placebo": 1.0529237648809917,
    "lsmean_UC-MSC": -0.31560000000000077,
    "lsmean_se_UC-MSC": 0.9417636453595617,
    "lsmean_diff": 4.4308999999999994,
    "lsmean_diff_se": 1.4126454680393425
  }
}
$ rctkit model linear --data tests/fixtures/models_glm_d01.csv --formula "chg ~ group * base"
rctkit model linear: formula 'chg ~ group * base', position 13: interaction terms ('*', ':', '^', '/', %in%) are not supported; create the product column in the data instead
[exit 2]
$ rctkit model linear --data tests/fixtures/models_glm_d01.csv --formula "chg ~ arm + base"
rctkit model linear: formula 'chg ~ arm + base': tests/fixtures/models_glm_d01.csv: no column 'arm' (columns: id, group, center, base, age, sex, chg, died, status, wt, score)
[exit 2]
$ rctkit model linear --data tests/fixtures/models_glm_d01.csv --formula "chg ~ group" --reference group=Plac
rctkit model linear: reference level 'Plac' does not occur in 'group' (levels: Placebo, UC-MSC)
[exit 2]
$ rctkit model linear --data tests/fixtures/models_glm_d01.csv --formula "chg ~ group + log(age)"
rctkit model linear: formula 'chg ~ group + log(age)', position 15: functions in formulas are not supported (only factor(col)); create the transformed column in the data instead
[exit 2]
$ rctkit model linear --data tests/fixtures/models_glm_d01.csv --formula "chg ~ group + sex" --reference sex=F,group=UC-MSC --group sex
Linear regression (least squares): chg ~ group + sex
data: tests/fixtures/models_glm_d01.csv, n = 30 used, 0 dropped for missing values
convention: least squares; t tests on n - p df; LS means at covariate means (SAS LSMEANS)
log-likelihood = -95.611791

term            estimate   std.error         t     p-value  95% CI (t)
(Intercept)     -2.46928     1.91477     -1.29      0.2081  -6.39807 to 1.45951
groupPlacebo    -2.33811     2.48736     -0.94      0.3556  -7.44175 to 2.76553
sexM             4.45063     2.44672     1.819     0.08002  -0.569633 to 9.47089

sigma = 6.176807
r_squared = 0.182944
adj_r_squared = 0.1224213
df_residual = 27
f_statistic = 3.022736
f_p_value = 0.06537316
lsmean_F = -3.638333
lsmean_se_F = 1.455887
lsmean_M = 0.8122973
lsmean_se_M = 1.966431
lsmean_diff = 4.450631
lsmean_diff_se = 2.446724
$ rctkit model linear --data tests/fixtures/models_glm_d01.csv
rctkit model linear: --data FILE.csv and --formula are required (see --help)
[exit 2]
$ rctkit model linear --data tests/fixtures/models_glm_d01.csv --formula "chg ~ group" --ci profile
rctkit model linear: --ci profile: linear models use exact t intervals
[exit 2]
$ rctkit model probit --data x.csv --formula "y ~ x"
rctkit model: unknown model 'probit'

usage: rctkit model MODEL --data FILE.csv --formula F [options]

models:
  linear     linear regression / ANCOVA (least squares, t tests, LS means)
  logistic   binary logistic regression (odds ratios)
  ordinal    proportional-odds (cumulative logit) model
  mixed      linear mixed model with a random intercept (REML)
  cox        Cox proportional hazards (--time, --event, formula "~ group")

Run 'rctkit model MODEL --help' for the options.
[exit 2]
