# R side of the models benchmark (bench/run.sh models).  Usage:
#   Rscript bench/models.R write DIR   # write the data sets (the only generator; rctkit reads them)
#   Rscript bench/models.R time DIR    # time MASS::polr, ordinal::clm, lm, lme4::lmer, coxph on them
# Prints "name|seconds|detail" lines, like bench_models.
args <- commandArgs(trailingOnly = TRUE)
mode <- args[1]; dir <- args[2]
po_csv <- file.path(dir, "bench_ordinal.csv")
big_csv <- file.path(dir, "bench_big.csv")
if (mode == "write") {
  set.seed(20261130)
  # proportional odds: n = 200,000, one binary covariate, 5 categories
  n <- 200000
  group <- sample(c("Placebo", "Active"), n, replace = TRUE)
  lat <- 0.4 * (group == "Active") + rlogis(n)
  score <- as.integer(cut(lat, c(-Inf, -1.5, -0.5, 0.5, 1.5, Inf)))
  write.csv(data.frame(group, score), po_csv, row.names = FALSE, quote = FALSE)
  # 1,000,000 patients in 100 centers: linear (ANCOVA), random intercept, Cox with tied days
  n <- 1e6
  center <- sprintf("C%03d", sample(100, n, replace = TRUE))
  group <- sample(c("Placebo", "Active"), n, replace = TRUE)
  base <- round(rnorm(n, 50, 10), 1)
  age <- round(runif(n, 18, 80))
  u <- rnorm(100, 0, 2)[as.integer(substr(center, 2, 4))]
  chg <- round(2 * (group == "Active") - 0.3 * base + 0.05 * age + u + rnorm(n, 0, 6), 2)
  hz <- exp(0.3 * (group == "Active") + 0.01 * (age - 50)) / 60
  t <- rexp(n, hz); cens <- runif(n, 30, 180)
  days <- ceiling(pmin(t, cens)); event <- as.integer(t <= cens)
  write.csv(data.frame(group, center, base, age, chg, days, event), big_csv, row.names = FALSE,
            quote = FALSE)
  quit(save = "no")
}
suppressMessages({ library(MASS); library(ordinal); library(lme4); library(survival) })
tm <- function(expr) { t <- system.time(r <- force(expr))[["elapsed"]]; list(t = t, r = r) }
line <- function(name, t, detail) { cat(sprintf("%s|%.3f|%s\n", name, t, detail)); flush(stdout()) }
po <- read.csv(po_csv, colClasses = c("character", "integer"))
po$group <- relevel(factor(po$group), "Placebo")
po$score <- factor(po$score)
f <- tm(polr(score ~ group, data = po, Hess = TRUE))
line("ordinal_polr_200k", f$t, sprintf("MASS::polr(Hess=TRUE): beta=%.10f se=%.10f logLik=%.10f",
     coef(f$r), sqrt(vcov(f$r)[1, 1]), logLik(f$r)))
f <- tm(clm(score ~ group, data = po))
line("ordinal_clm_200k", f$t, sprintf("ordinal::clm: beta=%.10f se=%.10f logLik=%.10f",
     coef(f$r)[["groupActive"]], sqrt(vcov(f$r)["groupActive", "groupActive"]), logLik(f$r)))
big <- tm(read.csv(big_csv, colClasses = c("factor", "factor", "numeric", "numeric", "numeric",
                                            "numeric", "integer")))
line("read_csv_1e6", big$t, "read.csv of the 1e6-row file (not part of any fit below)")
big <- big$r
big$group <- relevel(big$group, "Placebo")
f <- tm(summary(lm(chg ~ group + base + age + center, data = big)))
line("linear_1e6", f$t, sprintf("summary(lm(chg ~ group + base + age + center)), 103 coefficients: group=%.10f se=%.10f",
     f$r$coefficients["groupActive", 1], f$r$coefficients["groupActive", 2]))
f <- tm(lmer(chg ~ group + base + (1 | center), data = big, REML = TRUE))
line("mixed_1e6", f$t, sprintf("lme4::lmer REML: group=%.10f se=%.10f logLik(REML)=%.10f sd_center=%.10f sigma=%.10f",
     fixef(f$r)[["groupActive"]], sqrt(vcov(f$r)[2, 2]), logLik(f$r),
     attr(VarCorr(f$r)$center, "stddev"), sigma(f$r)))
f <- tm(coxph(Surv(days, event) ~ group + age, data = big))
line("cox_1e6", f$t, sprintf("survival::coxph Efron: group=%.10f se=%.10f age=%.10f loglik=%.10f iter=%d",
     coef(f$r)[["groupActive"]], sqrt(vcov(f$r)[1, 1]), coef(f$r)[["age"]], f$r$loglik[2],
     f$r$iter))
