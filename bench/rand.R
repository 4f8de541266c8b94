# R side of bench/run_rand.sh: plain R implementations (randomizeR is not in Debian and not
# installed here) of a 2:1 permuted-block list with block sizes 3 or 6 chosen at random, and a
# simulation of the convergence-strategy guesses for n = 60 (no chronological bias: the
# rctkit figure also integrates a doubly noncentral t per sequence, so R does less work).
# Prints "name|seconds|detail" lines.
set.seed(20261130)
tm <- function(expr) { t <- system.time(r <- force(expr))[["elapsed"]]; list(t = t, r = r) }
line <- function(name, t, detail) cat(sprintf("%s|%.4f|%s\n", name, t, detail))

# One block at a time, as a statistician would write it.
pb_loop <- function(n, sizes = c(3, 6), ratio = c(2, 1), arms = c("T", "P")) {
  out <- character(n + max(sizes)); k <- 0
  while (k < n) {
    s <- if (length(sizes) > 1) sample(sizes, 1) else sizes
    out[k + seq_len(s)] <- sample(rep(arms, s / sum(ratio) * ratio))
    k <- k + s
  }
  out[seq_len(k)]
}
# Vectorised: draw all block sizes, then shuffle within blocks with one order().
pb_vec <- function(n, sizes = c(3, 6), ratio = c(2, 1), arms = c("T", "P")) {
  s <- sample(sizes, ceiling(n / min(sizes)), replace = TRUE)
  s <- s[seq_len(which(cumsum(s) >= n)[1])]
  blk <- rep(seq_along(s), s)
  arm <- unlist(lapply(s, function(b) rep(arms, b / sum(ratio) * ratio)), use.names = FALSE)
  arm[order(blk, runif(length(blk)))]
}
for (f in c("loop", "vec")) {
  fn <- if (f == "loop") pb_loop else pb_vec
  best <- Inf
  for (rep in 1:3) { r <- tm(fn(1e6)); best <- min(best, r$t) }
  line(sprintf("list_blocks_2to1_1e6_%s", f), best,
       sprintf("%d slots, %.3g slots/s (best of 3), T share %.4f", length(r$r),
               length(r$r) / best, mean(r$r == "T")))
}
guess_sim <- function(sims, n = 60, ratio = c(2, 1)) {
  R <- sum(ratio); tot <- 0
  for (s in seq_len(sims)) {
    a <- pb_loop(n)[seq_len(n)] == "T"
    N <- c(0, 0); hits <- 0
    for (i in seq_len(n)) {
      sc <- i * ratio - R * N
      g <- which(sc == max(sc))
      hits <- hits + (if (a[i]) 1 else 2) %in% g / length(g)
      N[if (a[i]) 1 else 2] <- N[if (a[i]) 1 else 2] + 1
    }
    tot <- tot + hits
  }
  tot / sims / n
}
r <- tm(guess_sim(10000))
line("assess_sim_blocks_n60_1e4", r$t,
     sprintf("10000 sequences of 60 (guesses only), prop. correct %.4f", r$r))
