# Excursion detection on a logger CSV in R (vectorised, base R), for bench/supply.sh: same rules
# as rk_logger_parse for well-formed files (range 8-12 C, interval 5 s); out-of-order rows are
# dropped; prints readings, excursions, issues and the elapsed time.
args <- commandArgs(trailingOnly = TRUE)
t0 <- proc.time()[["elapsed"]]
d <- read.csv(args[1], colClasses = c("character", "numeric", "numeric", "numeric"))
t <- as.numeric(as.POSIXct(d$time, format = "%Y-%m-%dT%H:%M:%SZ", tz = "UTC"))
ok <- !is.na(t) & !is.na(d$temp_c)
t <- t[ok]; v <- d$temp_c[ok]
keep <- c(TRUE, diff(cummax(t)) > 0)          # out-of-order rows dropped
issues <- sum(!ok) + sum(!keep)
t <- t[keep]; v <- v[keep]
issues <- issues + sum(diff(t) > 5)
out <- ifelse(v < 8, -1, ifelse(v > 12, 1, 0))
r <- rle(out)
ends <- cumsum(r$lengths); starts <- ends - r$lengths + 1
e <- which(r$values != 0)
stop_t <- ifelse(ends[e] < length(t), t[pmin(ends[e] + 1, length(t))], t[length(t)])
dur <- sum(stop_t - t[starts[e]])
el <- proc.time()[["elapsed"]] - t0
cat(sprintf("%d readings, %d excursions (%d s), %d issues\n", length(t), length(e), as.integer(dur), issues))
cat(sprintf("R elapsed|%.3f\n", el))
