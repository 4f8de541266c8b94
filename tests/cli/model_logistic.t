# Logistic regression, odds ratios with profile-likelihood CIs (R glm; exact profile roots)
$ rctkit model logistic --data tests/fixtures/models_glm_d02.csv --formula "died ~ group + age" --reference group=Placebo --ci profile
Logistic regression: died ~ group + age
data: tests/fixtures/models_glm_d02.csv, n = 58 used, 2 dropped for missing values
convention: logit P(died = 1) = x'beta (R glm); odds ratio of '1' vs '0'
converged after 4 iterations; log-likelihood = -37.403263

term           estimate   std.error         z     p-value  95% CI (profile)           odds ratio  95% CI (profile)
(Intercept)    -2.38062     1.28575    -1.852     0.06409  -5.07922 to 0.0240364
groupUC-MSC    0.928464    0.559225      1.66     0.09686  -0.147156 to 2.06281          2.53062  0.86316 to 7.86808
age           0.0294667   0.0209995     1.403      0.1606  -0.0105896 to 0.0726337       1.02991  0.989466 to 1.07534

null_deviance = 79.2981
lr_statistic = 4.491573
lr_df = 2
lr_p_value = 0.1058442
aic = 80.80653
$ rctkit model logistic --data tests/fixtures/models_glm_d07.csv --formula "status ~ group" --format json
{
  "model": "logistic",
  "convention": "logit P(status = dead) = x'beta (R glm); odds ratio of 'dead' vs 'alive'",
  "formula": "status ~ group",
  "data": "tests/fixtures/models_glm_d07.csv",
  "n": 45,
  "n_dropped": 0,
  "converged": true,
  "iterations": 4,
  "log_likelihood": -30.097177787001986,
  "deviance": 60.194355574003971,
  "ci_method": "wald",
  "conf_level": 0.94999999999999996,
  "coefficients": [
    {
      "term": "(Intercept)",
      "estimate": -0.619039208406163,
      "std_error": 0.46880723093849103,
      "statistic": -1.3204557599654065,
      "conf_int": [
        -1.5378844967375569,
        0.29980607992523101
      ],
      "p_value": 0.18668289731419849
    },
    {
      "term": "groupUC-MSC",
      "estimate": 0.37787715158927526,
      "std_error": 0.6181568426523143,
      "statistic": 0.61129656021912604,
      "conf_int": [
        -0.83368799680625372,
        1.5894422999848041
      ],
      "p_value": 0.54100326780499619,
      "odds_ratio": 1.4591836734693,
      "odds_ratio_conf_int": [
        0.43444409972711706,
        4.9010148699378444
      ]
    }
  ],
  "extra": {
    "null_deviance": 60.571050030833078,
    "lr_statistic": 0.37669445682910663,
    "lr_df": 1.0,
    "lr_p_value": 0.53937763790952387,
    "aic": 64.194355574003964
  }
}
$ rctkit model logistic --data tests/cli/data/three_arms.csv --formula "sex ~ arm"
rctkit model logistic: quasi-complete separation: every observation (1) with arm = B has sex = F, so the odds ratio for 'arm' is infinite; use exact or Firth logistic regression, or merge levels
[exit 1]
$ rctkit model logistic --data tests/fixtures/models_glm_d02.csv --formula "center ~ group"
rctkit model logistic: logistic regression needs an outcome with exactly 2 categories ('center' has 4)
[exit 2]
$ rctkit model logistic --data tests/fixtures/models_glm_d02.csv --formula "died ~ group" --ci exact
rctkit model logistic: --ci must be wald or profile, not 'exact'
[exit 2]
