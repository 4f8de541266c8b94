# The demo trial (SYNTHETIC data): the committed data are exactly what 'rctkit simulate trial'
# makes with the default seed, and the report on them.  Every statistic is re-checked against R
# by tests/report/test_report.c (tests/fixtures/make_report.R).
$ d=$(mktemp -d); rctkit simulate trial --out $d | sed "s|$d|DIR|"; for f in screening adsl admeas adae; do cmp $d/$f.csv examples/msc-trial/data/$f.csv && echo "$f.csv identical"; done; rm -rf $d
wrote DIR/screening.csv, adsl.csv, admeas.csv, adae.csv: synthetic trial, 101 randomized, seed 20200305
screening.csv identical
adsl.csv identical
admeas.csv identical
adae.csv identical
$ rctkit report examples/msc-trial/plan.yaml
UC-MSC vs placebo in severe COVID-19 with lung damage: phase 2 demo (SYNTHETIC data)

Table 1. Baseline characteristics (mITT population)
===================================================================================================================
Characteristic                                                    UC-MSC group (n = 65)    Placebo group (n = 35)
-------------------------------------------------------------------------------------------------------------------
Age, years                                                        60.72 (9.03)             59.94 (8.36)
Sex
  Men                                                             37 (56.92%)              19 (54.29%)
  Women                                                           28 (43.08%)              16 (45.71%)
BMI, kg/m2 [1]                                                    24.68 (3.17)             24.88 (3.34)
Time from symptom onset to baseline, days                         45.00 (39.00, 51.00)     47.00 (41.00, 53.00)
Any comorbidities                                                 34 (52.31%)              18 (51.43%)
Hypertension                                                      17 (26.15%)              10 (28.57%)
Diabetes                                                          12 (18.46%)              5 (14.29%)
Chronic bronchitis                                                2 (3.08%)                3 (8.57%)
Chronic obstructive pulmonary disease                             2 (3.08%)                0 (0.00%)
Antiviral drugs                                                   32 (49.23%)              20 (57.14%)
Antibiotics                                                       27 (41.54%)              12 (34.29%)
Corticosteroids                                                   13 (20.00%)              9 (25.71%)
Lesion proportion (%)                                             26.27 (11.86, 38.45)     28.67 (11.63, 46.62)
Solid component lesion proportion (%)                             2.55 (0.68, 5.31)        2.49 (0.81, 5.40)
Six-category scale
  2-Hospitalized, not requiring supplemental oxygen               14 (21.54%)              10 (28.57%)
  3-Hospitalized, requiring supplemental oxygen                   50 (76.92%)              25 (71.43%)
  4-Hospitalized, on noninvasive ventilation or high flow oxygen  1 (1.54%)                0 (0.00%)
White blood cell count (10^9/L)                                   5.70 (5.00, 6.60)        5.90 (5.00, 7.00)
Lymphocyte count (10^9/L)                                         1.39 (1.19, 1.80)        1.47 (1.20, 1.84)
CD4 T cells (/ul) [2]                                             638.00 (473.00, 759.00)  746.50 (491.00, 1032.00)
CD8 T cells (/ul) [3]                                             370.00 (274.00, 516.00)  402.00 (312.00, 584.00)
B cells (/ul) [4]                                                 149.45 (99.40, 253.20)   151.90 (96.50, 248.90)
NK cells (/ul) [5]                                                235.20 (150.20, 391.30)  195.35 (133.60, 306.90)
Neutrophil count (10^9/L)                                         3.48 (2.94, 4.32)        3.79 (2.78, 4.75)
Platelet count (10^9/L)                                           215.00 (174.00, 254.00)  210.00 (175.00, 255.00)
Hemoglobin (g/L)                                                  122.71 (14.39)           124.23 (12.06)
D-dimer (mg/L) [6]                                                0.58 (0.36, 1.21)        0.59 (0.33, 1.09)
IL-6 (pg/ml) [7]                                                  7.87 (5.57, 10.01)       8.91 (6.25, 12.56)
CRP (mg/L) [8]                                                    1.93 (0.84, 3.59)        1.32 (0.67, 2.41)
SARS-CoV-2 IgG positive [9]                                       63 (100.00%)             34 (100.00%)
SARS-CoV-2 IgM positive [10]                                      58 (92.06%)              32 (94.12%)
SARS-CoV-2 nucleic acid positive                                  47 (72.31%)              20 (57.14%)
-------------------------------------------------------------------------------------------------------------------
[1] BMI, kg/m2: values were available for 59 patients in the UC-MSC group and 33 patients in the Placebo group.
[2] CD4 T cells (/ul): values were available for 62 patients in the UC-MSC group and 34 patients in the Placebo group.
[3] CD8 T cells (/ul): values were available for 62 patients in the UC-MSC group and 34 patients in the Placebo group.
[4] B cells (/ul): values were available for 62 patients in the UC-MSC group and 34 patients in the Placebo group.
[5] NK cells (/ul): values were available for 62 patients in the UC-MSC group and 34 patients in the Placebo group.
[6] D-dimer (mg/L): values were available for 55 patients in the UC-MSC group and 29 patients in the Placebo group.
[7] IL-6 (pg/ml): values were available for 64 patients in the UC-MSC group and 35 patients in the Placebo group.
[8] CRP (mg/L): values were available for 27 patients in the UC-MSC group and 14 patients in the Placebo group.
[9] SARS-CoV-2 IgG positive: values were available for 63 patients in the UC-MSC group and 34 patients in the Placebo group.
[10] SARS-CoV-2 IgM positive: values were available for 63 patients in the UC-MSC group and 34 patients in the Placebo group.
Data are mean (SD), median (IQR) or n (%); quartiles as SAS QNTLDEF=5 (R type 2); percentages of the patients with a value.
SYNTHETIC data generated by rctkit simulate trial (seed 20200305), calibrated to the seed trial's published summaries.

Table 2. Primary and secondary outcomes (mITT population)
=========================================================================================================================================================
Outcome                                                                   UC-MSC group (n = 65)    Placebo group (n = 35)   Difference (95% CI)     P
---------------------------------------------------------------------------------------------------------------------------------------------------------
Change in total lesion proportion (%), baseline to day 28 [11]            -18.05 (-45.50, -3.10)   -5.81 (-47.39, 21.03)    -9.48 (-28.79, 11.35)   0.347
Change in solid component lesion proportion (%), baseline to day 28 [12]  -55.99 (-74.79, -26.12)  -37.01 (-61.42, -1.99)   -16.10 (-32.86, -0.05)  0.049
Change in ground-glass lesion proportion (%), baseline to day 28 [13]     -14.71 (-50.43, 6.93)    -3.54 (-39.87, 32.98)    -14.26 (-36.68, 7.07)   0.179
6-minute walking distance at day 28 (m)                                   420.00 (381.00, 464.00)  403.00 (338.00, 452.00)  23.00 (-8.00, 55.00)    0.144
VCmax (L) at day 28 [14]                                                  2.57 (2.14, 3.04)        2.49 (1.99, 2.82)        0.14 (-0.19, 0.47)      0.425
DLco at day 28 [15]                                                       5.13 (1.61)              5.03 (1.63)              0.10 (-0.66, 0.86)      0.789
Six-category scale at day 10                                                                                                OR 0.77 (0.33, 1.78)    0.536
  1-Not hospitalized                                                      11 (16.92%)              6 (17.14%)
  2-Hospitalized, not requiring supplemental oxygen                       8 (12.31%)               6 (17.14%)
  3-Hospitalized, requiring supplemental oxygen                           44 (67.69%)              23 (65.71%)
  4-Hospitalized, on noninvasive ventilation or high flow oxygen          2 (3.08%)                0 (0.00%)
Time to clinical improvement, days [16]                                   21.00 (21.00, 28.00)     21.00 (21.00, 28.00)     HR 1.33 (0.84, 2.10)    0.284
Duration of oxygen therapy (days) [17]                                    23.00 (13.00, 32.00)     31.00 (15.00, 40.00)     -5.00 (-16.00, 6.00)    0.317
Finger pulse oxygen at rest (%) at day 28 [18]                            97.07 (1.40)             96.95 (1.31)             0.13 (-0.45, 0.70)      0.667
mMRC dyspnea score at day 28 [19]                                                                                           OR 1.49 (0.68, 3.26)    0.321
  Grade 0                                                                 29 (47.54%)              13 (37.14%)
  Grade 1                                                                 24 (39.34%)              16 (45.71%)
  Grade 2                                                                 5 (8.20%)                4 (11.43%)
  Grade 3                                                                 3 (4.92%)                1 (2.86%)
  Grade 4                                                                 0 (0.00%)                1 (2.86%)
---------------------------------------------------------------------------------------------------------------------------------------------------------
[11] Change in total lesion proportion (%), baseline to day 28: last observation carried forward for 11 patients in the UC-MSC group and 7 in the Placebo group.
[12] Change in solid component lesion proportion (%), baseline to day 28: last observation carried forward for 11 patients in the UC-MSC group and 7 in the Placebo group.
[13] Change in ground-glass lesion proportion (%), baseline to day 28: last observation carried forward for 11 patients in the UC-MSC group and 7 in the Placebo group.
[14] VCmax (L) at day 28: values were available for 53 patients in the UC-MSC group and 31 patients in the Placebo group.
[15] DLco at day 28: values were available for 53 patients in the UC-MSC group and 27 patients in the Placebo group.
[16] Time to clinical improvement: clinical improvement = a decline of 2 categories on SCALE6 from baseline, or category 1 (discharge); patients without improvement are censored at their last assessment. Patients who died before improving are censored at the end of follow-up (day 28): 0 in this population (no death day recorded in the data). Median (95% CI): Kaplan-Meier, log transformation (R survfit); HR: Cox proportional hazards (UC-MSC group vs Placebo group, Efron ties, Wald 95% CI); P: log-rank test.
[17] Duration of oxygen therapy (days): values were available for 29 patients in the UC-MSC group and 11 patients in the Placebo group.
[18] Finger pulse oxygen at rest (%) at day 28: values were available for 61 patients in the UC-MSC group and 35 patients in the Placebo group.
[19] mMRC dyspnea score at day 28: values were available for 61 patients in the UC-MSC group and 35 patients in the Placebo group.
Median (IQR) per group; difference: Hodges-Lehmann estimate of the shift (UC-MSC group minus Placebo group) with Moses 95% CI; P: Wilcoxon rank-sum test, normal approximation with continuity correction (SAS NPAR1WAY).
Mean (SD) per group; difference in means (UC-MSC group minus Placebo group) with 95% CI and P from Student's two-sample t-test.
n (%) per group; OR: proportional-odds (ordinal logistic) model, SAS convention (odds of a lower category, UC-MSC group vs Placebo group), Wald 95% CI and P.
Synthetic data: the seed trial reported these analyses; the numbers here come from simulated patients.

Table S1. Primary and secondary outcomes (PP population, observed values)
====================================================================================================================================================
Outcome                                                              UC-MSC group (n = 49)    Placebo group (n = 25)   Difference (95% CI)     P
----------------------------------------------------------------------------------------------------------------------------------------------------
Change in total lesion proportion (%), baseline to day 28            -21.81 (-48.59, 9.52)    -11.05 (-53.45, 12.46)   -3.12 (-28.41, 22.61)   0.793
Change in solid component lesion proportion (%), baseline to day 28  -62.65 (-79.33, -45.55)  -35.37 (-56.98, 10.75)   -26.78 (-46.67, -7.68)  0.007
Change in ground-glass lesion proportion (%), baseline to day 28     -20.01 (-50.43, 2.26)    -7.39 (-39.87, 25.45)    -13.73 (-38.46, 10.63)  0.253
6-minute walking distance at day 28 (m)                              415.00 (374.00, 461.00)  395.00 (327.00, 437.00)  29.00 (-8.00, 70.00)    0.116
VCmax (L) at day 28 [20]                                             2.57 (2.16, 3.10)        2.54 (2.23, 3.13)        0.02 (-0.38, 0.40)      0.943
DLco at day 28 [21]                                                  5.12 (1.65)              4.88 (1.54)              0.23 (-0.70, 1.17)      0.618
Six-category scale at day 10                                                                                           OR 0.86 (0.33, 2.23)    0.756
  1-Not hospitalized                                                 10 (20.41%)              4 (16.00%)
  2-Hospitalized, not requiring supplemental oxygen                  6 (12.24%)               5 (20.00%)
  3-Hospitalized, requiring supplemental oxygen                      31 (63.27%)              16 (64.00%)
  4-Hospitalized, on noninvasive ventilation or high flow oxygen     2 (4.08%)                0 (0.00%)
Time to clinical improvement, days [22]                              21.00 (21.00, 28.00)     21.00 (21.00, NR)        HR 1.38 (0.80, 2.41)    0.271
Duration of oxygen therapy (days) [23]                               24.00 (16.00, 33.00)     31.00 (15.00, 40.00)     -3.00 (-15.00, 7.00)    0.491
Finger pulse oxygen at rest (%) at day 28 [24]                       97.14 (1.44)             96.96 (1.24)             0.18 (-0.50, 0.86)      0.599
mMRC dyspnea score at day 28 [25]                                                                                      OR 1.69 (0.68, 4.22)    0.259
  Grade 0                                                            23 (51.11%)              9 (36.00%)
  Grade 1                                                            15 (33.33%)              11 (44.00%)
  Grade 2                                                            4 (8.89%)                3 (12.00%)
  Grade 3                                                            3 (6.67%)                1 (4.00%)
  Grade 4                                                            0 (0.00%)                1 (4.00%)
----------------------------------------------------------------------------------------------------------------------------------------------------
[20] VCmax (L) at day 28: values were available for 41 patients in the UC-MSC group and 22 patients in the Placebo group.
[21] DLco at day 28: values were available for 40 patients in the UC-MSC group and 17 patients in the Placebo group.
[22] Time to clinical improvement: clinical improvement = a decline of 2 categories on SCALE6 from baseline, or category 1 (discharge); patients without improvement are censored at their last assessment. Patients who died before improving are censored at the end of follow-up (day 28): 0 in this population (no death day recorded in the data). Median (95% CI): Kaplan-Meier, log transformation (R survfit); HR: Cox proportional hazards (UC-MSC group vs Placebo group, Efron ties, Wald 95% CI); P: log-rank test.
[23] Duration of oxygen therapy (days): values were available for 19 patients in the UC-MSC group and 11 patients in the Placebo group.
[24] Finger pulse oxygen at rest (%) at day 28: values were available for 47 patients in the UC-MSC group and 25 patients in the Placebo group.
[25] mMRC dyspnea score at day 28: values were available for 45 patients in the UC-MSC group and 25 patients in the Placebo group.
Median (IQR) per group; difference: Hodges-Lehmann estimate of the shift (UC-MSC group minus Placebo group) with Moses 95% CI; P: Wilcoxon rank-sum test, normal approximation with continuity correction (SAS NPAR1WAY).
Mean (SD) per group; difference in means (UC-MSC group minus Placebo group) with 95% CI and P from Student's two-sample t-test.
n (%) per group; OR: proportional-odds (ordinal logistic) model, SAS convention (odds of a lower category, UC-MSC group vs Placebo group), Wald 95% CI and P.

Table 3. Adverse events by grade (safety population)
==============================================================================================
                                        UC-MSC group (n = 65)       Placebo group (n = 35)
Adverse event                           Grade 1 or 2  Grade 3 or 4  Grade 1 or 2  Grade 3 or 4
----------------------------------------------------------------------------------------------
Any adverse event                       36 (55.38%)   1 (1.54%)     21 (60.00%)   0 (0.00%)
Increased lactic acid dehydrogenase     9 (13.85%)    0 (0.00%)     7 (20.00%)    0 (0.00%)
Increased alanine aminotransferase      7 (10.77%)    0 (0.00%)     4 (11.43%)    0 (0.00%)
Hypokalaemia                            6 (9.23%)     0 (0.00%)     1 (2.86%)     0 (0.00%)
Increased aspartate aminotransferase    5 (7.69%)     0 (0.00%)     4 (11.43%)    0 (0.00%)
Increased serum uric acid               5 (7.69%)     0 (0.00%)     3 (8.57%)     0 (0.00%)
Diarrhea                                4 (6.15%)     0 (0.00%)     0 (0.00%)     0 (0.00%)
Palpitations                            3 (4.62%)     0 (0.00%)     0 (0.00%)     0 (0.00%)
Cough                                   2 (3.08%)     0 (0.00%)     1 (2.86%)     0 (0.00%)
Increased gamma-glutamyl transferase    2 (3.08%)     0 (0.00%)     1 (2.86%)     0 (0.00%)
Abdominal distention                    2 (3.08%)     0 (0.00%)     0 (0.00%)     0 (0.00%)
Anemia                                  2 (3.08%)     0 (0.00%)     0 (0.00%)     0 (0.00%)
Dizziness                               2 (3.08%)     0 (0.00%)     0 (0.00%)     0 (0.00%)
Creatine phosphate stimulation          1 (1.54%)     0 (0.00%)     1 (2.86%)     0 (0.00%)
Elevated blood urea                     1 (1.54%)     0 (0.00%)     1 (2.86%)     0 (0.00%)
Gastroesophageal reflux disease         1 (1.54%)     0 (0.00%)     1 (2.86%)     0 (0.00%)
Abdominal pain                          1 (1.54%)     0 (0.00%)     0 (0.00%)     0 (0.00%)
Anxious                                 1 (1.54%)     0 (0.00%)     0 (0.00%)     0 (0.00%)
Bacterial infection                     1 (1.54%)     0 (0.00%)     0 (0.00%)     0 (0.00%)
Chest musculoskeletal                   1 (1.54%)     0 (0.00%)     0 (0.00%)     0 (0.00%)
Countercurrent                          1 (1.54%)     0 (0.00%)     0 (0.00%)     0 (0.00%)
Functional gastrointestinal turbulence  1 (1.54%)     0 (0.00%)     0 (0.00%)     0 (0.00%)
Heart failure                           1 (1.54%)     0 (0.00%)     0 (0.00%)     0 (0.00%)
Increased heart rate                    1 (1.54%)     0 (0.00%)     0 (0.00%)     0 (0.00%)
Metabolic alkalosis                     1 (1.54%)     0 (0.00%)     0 (0.00%)     0 (0.00%)
Nausea                                  1 (1.54%)     0 (0.00%)     0 (0.00%)     0 (0.00%)
Nervous                                 1 (1.54%)     0 (0.00%)     0 (0.00%)     0 (0.00%)
Non-infectious gingivitis               1 (1.54%)     0 (0.00%)     0 (0.00%)     0 (0.00%)
Pharyngeal diseases                     1 (1.54%)     0 (0.00%)     0 (0.00%)     0 (0.00%)
Pharyngitis                             1 (1.54%)     0 (0.00%)     0 (0.00%)     0 (0.00%)
Pneumothorax                            0 (0.00%)     1 (1.54%)     0 (0.00%)     0 (0.00%)
Poor sleep quality                      1 (1.54%)     0 (0.00%)     0 (0.00%)     0 (0.00%)
Pulmonary edema                         1 (1.54%)     0 (0.00%)     0 (0.00%)     0 (0.00%)
Rash                                    1 (1.54%)     0 (0.00%)     0 (0.00%)     0 (0.00%)
Taste reversal                          1 (1.54%)     0 (0.00%)     0 (0.00%)     0 (0.00%)
Thirsty                                 1 (1.54%)     0 (0.00%)     0 (0.00%)     0 (0.00%)
Toothache                               1 (1.54%)     0 (0.00%)     0 (0.00%)     0 (0.00%)
Urinary tract infection                 1 (1.54%)     0 (0.00%)     0 (0.00%)     0 (0.00%)
Vomit                                   1 (1.54%)     0 (0.00%)     0 (0.00%)     0 (0.00%)
Pruritus                                0 (0.00%)     0 (0.00%)     3 (8.57%)     0 (0.00%)
Hepatic cyst                            0 (0.00%)     0 (0.00%)     2 (5.71%)     0 (0.00%)
Hypocalcemia                            0 (0.00%)     0 (0.00%)     2 (5.71%)     0 (0.00%)
Difficulty in falling asleep            0 (0.00%)     0 (0.00%)     1 (2.86%)     0 (0.00%)
Elevated serum creatinine               0 (0.00%)     0 (0.00%)     1 (2.86%)     0 (0.00%)
Pleural effusion                        0 (0.00%)     0 (0.00%)     1 (2.86%)     0 (0.00%)
Respiratory alkalosis                   0 (0.00%)     0 (0.00%)     1 (2.86%)     0 (0.00%)
----------------------------------------------------------------------------------------------
n (%) of patients with at least one event of the term in the grade group; percentages of the safety population per group; 110 event records read.

CONSORT flow (counts)
===========================================================================
Stage                                    UC-MSC group  Placebo group  Total
---------------------------------------------------------------------------
Screened                                                              288
Excluded                                                              187
  did not meet eligibility criteria                                   161
  withdrew                                                            26
Randomized                               66            35             101
Did not start treatment (not in safety)  1             0              1
Analysed
  ITT                                    66            35             101
  mITT                                   65            35             100
  PP                                     49            25             74
  safety                                 65            35             100
---------------------------------------------------------------------------
Populations derived from the collected data: ITT = randomized; safety = received any dose (TRTSDT); mITT = randomized and dosed; PP = mITT with TLESPRP measured at DAY28 inside its window (study days 24 to 35), not carried forward, and no major protocol deviation (MAJDEVFL).
Data note: examples/msc-trial/data/admeas.csv: 24 records fall outside every visit window (kept, not analysed).
Data note: LOCF: 54 records of TLESPRP, SLESPRP, GGOPRP carried forward for 18 mITT subjects (DTYPE = LOCF).

Sensitivity analyses of Change in total lesion proportion (%), baseline to day 28 (post hoc)
===============================================================================
Population  Model                             N    Difference (95% CI)    P
-------------------------------------------------------------------------------
mITT        1: group                          100  -8.94 (-28.41, 10.53)  0.365
mITT        2: group + site                   100  -7.42 (-27.23, 12.39)  0.459
mITT        3: group + baseline + site        100  -8.83 (-27.93, 10.27)  0.361
mITT        4: group, site random             100  -8.94 (-28.41, 10.53)  0.365
mITT        5: group + baseline, site random  100  -10.44 (-29.23, 8.35)  0.273
PP          1: group                          74   -4.15 (-29.02, 20.71)  0.740
PP          2: group + site                   74   -2.68 (-27.88, 22.53)  0.833
PP          3: group + baseline + site        74   -4.53 (-28.76, 19.69)  0.710
PP          4: group, site random             74   -4.15 (-29.02, 20.71)  0.740
PP          5: group + baseline, site random  74   -6.25 (-30.23, 17.72)  0.604
ITT         1: group                          100  -8.94 (-28.41, 10.53)  0.365
ITT         2: group + site                   100  -7.42 (-27.23, 12.39)  0.459
ITT         3: group + baseline + site        100  -8.83 (-27.93, 10.27)  0.361
ITT         4: group, site random             100  -8.94 (-28.41, 10.53)  0.365
ITT         5: group + baseline, site random  100  -10.44 (-29.23, 8.35)  0.273
-------------------------------------------------------------------------------
Difference: UC-MSC group minus Placebo group in PCHG, from linear models (least squares, t intervals; models 1-3) and linear mixed models with a random intercept per site (REML, Satterthwaite df; models 4-5); baseline = BASE.
LOCF records used in: mITT, ITT; other populations: observed values only.

Manifest (SHA-256)
rctkit 0.1.0
e97bf4f9d5583c60dc05764a0ed0d2d73c76ccd061f41cb6e2e7539df6642c62  plan.yaml  (plan)
f195563fa4fd7094c01ba787a1c6de0cd6aac4108c67e9fd84bf78d3ed1c99bc  data/adsl.csv  (subjects)
11d3f4bf41e1f44ef592baac3e88507dcdab1e24a25f0c64b7a79b038378c33e  data/admeas.csv  (measurements)
d9f73f8fa60948b62ad1fd9df27968fe6636cece655845038ccf369d551f428a  data/adae.csv  (adverse_events)
d9e453522e955393b8efbed33175f40c75353a9393f02c9c2f1cc4f5d2a186ab  data/screening.csv  (screening)
ce499f7fcbe2424b6a81ac12fadfb128277a99ab82cae145971bb45d4b671f9a  figure_primary.svg  (figure)
9aebd54b28ac4036627a72384db0799024eacfec8ebde2650d80d2ad16181847  figure_tti.svg  (figure)
b11679818017a17c83b108a7f42859f47019803f0f9cb9d9c4a703e035d7d6e0  figure_consort.svg  (figure)
$ d=$(mktemp -d); rctkit report examples/msc-trial/plan.yaml --out $d --format json | sed "s|$d|DIR|"; ls $d; rm -rf $d
wrote DIR/report.json (6 tables, 720 statistics, 5 input files in the manifest) and 3 figures (SVG, PNG)
figure_consort.png
figure_consort.svg
figure_primary.png
figure_primary.svg
figure_tti.png
figure_tti.svg
report.json
