# R side of bench/run.sh: times R's wilcox.test and coin::wilcox_test on the
# same sizes as bench/bench_wilcoxon.c.  Prints "name|seconds|detail" lines.
# RK_BENCH_R_1E6=1 also runs wilcox.test at n = m = 1e6 (about two minutes).
# RK_BENCH_EXACT_ONLY=1 skips the n = 1e5 normal-approximation cases.
suppressMessages(library(coin))
set.seed(20240611)
tm <- function(expr) {
  st <- system.time(r <- force(expr))
  list(t = st[["elapsed"]], cpu = st[["user.self"]] + st[["sys.self"]], r = r)
}
line <- function(name, t, detail) cat(sprintf("%s|%.4f|%s\n", name, t, detail))
sizes <- if (nzchar(Sys.getenv("RK_BENCH_EXACT_ONLY"))) c() else 1e5
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
line("exact_noties_200", w$t, sprintf("wilcox.test(exact=TRUE, conf.int=TRUE): p=%.6g cpu %.2f s", w$r$p.value, w$cpu))
ord7 <- function(n, shift) pmin(pmax(floor((rnorm(n) + shift) * 7 / 5 + 3.5), 0), 6)
coin_exact <- function(name, x, y) {
  d <- data.frame(v = c(x, y), g = factor(rep(c("x", "y"), c(length(x), length(y)))))
  # time the p-value and the interval (coin computes the interval when confint() asks)
  w0 <- tm(wilcox_test(v ~ g, data = d, distribution = "exact", conf.int = TRUE))
  w <- tm({ r <- wilcox_test(v ~ g, data = d, distribution = "exact", conf.int = TRUE)
            list(p = pvalue(r), ci = confint(r)$conf.int) })
  line(name, w$t, sprintf("coin exact with ties: p=%.10g CI=(%.6g, %.6g) cpu %.2f s (p alone %.2f s)",
                          w$r$p, w$r$ci[1], w$r$ci[2], w$cpu, w0$t))
}
coin_exact("exact_ties_300", round(rnorm(300, 0.3), 1), round(rnorm(300), 1))
coin_exact("exact_ord7_300", ord7(300, 0.3), ord7(300, 0))
# coin at n = m = 1000 / 2000 (minutes to hours): only with RK_BENCH_COIN_BIG=1
if (nzchar(Sys.getenv("RK_BENCH_COIN_BIG"))) {
  coin_exact("exact_ties_1000", round(rnorm(1000, 0.1), 1), round(rnorm(1000), 1))
}
