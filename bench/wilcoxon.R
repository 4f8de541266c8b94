# R side of bench/run.sh: times R's wilcox.test and coin::wilcox_test on the
# same sizes as bench/bench_wilcoxon.c.  Prints "name|seconds|detail" lines.
# RK_BENCH_R_1E6=1 also runs wilcox.test at n = m = 1e6 (about two minutes).
suppressMessages(library(coin))
set.seed(20240611)
tm <- function(expr) { t <- system.time(r <- force(expr))[["elapsed"]]; list(t = t, r = r) }
line <- function(name, t, detail) cat(sprintf("%s|%.4f|%s\n", name, t, detail))
sizes <- 1e5
if (nzchar(Sys.getenv("RK_BENCH_R_1E6"))) sizes <- c(sizes, 1e6)
for (n in sizes) {
  x <- rnorm(n, 0.1); y <- rnorm(n)
  s <- tm(sort(c(x, y)))
  line(sprintf("qsort_pooled_%d", n), s$t, "R sort of the 2n pooled values")
  w <- tm(wilcox.test(x, y, conf.int = TRUE, exact = FALSE))
  line(sprintf("hl_ci_asymptotic_%d", n), w$t,
       sprintf("wilcox.test(conf.int=TRUE, exact=FALSE): est=%.6g CI=(%.6g, %.6g)",
               w$r$estimate, w$r$conf.int[1], w$r$conf.int[2]))
}
x <- rnorm(200, 0.3); y <- rnorm(200)
w <- tm(wilcox.test(x, y, conf.int = TRUE, exact = TRUE))
line("exact_noties_200", w$t, sprintf("wilcox.test(exact=TRUE, conf.int=TRUE): p=%.6g", w$r$p.value))
x <- round(rnorm(300, 0.3), 1); y <- round(rnorm(300), 1)
d <- data.frame(v = c(x, y), g = factor(rep(c("x", "y"), each = 300)))
w <- tm(wilcox_test(v ~ g, data = d, distribution = "exact", conf.int = TRUE))
line("exact_ties_300", w$t, sprintf("coin exact with ties + CI: p=%.6g", pvalue(w$r)))
