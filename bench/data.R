# The R side of bench/bench_data.c: read the same synthetic trial CSVs and make the same
# derivations (populations, windows, baseline, CHG/PCHG, LOCF, PP, improvement), vectorised
# base R.  Usage: Rscript bench/data.R DIR base|fread
# Prints "step|seconds|-|detail" (peak memory is measured outside, by /usr/bin/time).
args <- commandArgs(TRUE)
dir <- args[1]
how <- if (length(args) > 1) args[2] else "base"
t0 <- proc.time()[["elapsed"]]
if (how == "fread") {
  library(data.table)
  adsl <- as.data.frame(fread(file.path(dir, "adsl.csv"),
                              colClasses = c(SITEID = "character", RANDDT = "character",
                                             TRTSDT = "character"),
                              na.strings = ""))
  adlb <- as.data.frame(fread(file.path(dir, "adlb.csv"), na.strings = ""))
} else {
  adsl <- read.csv(file.path(dir, "adsl.csv"), colClasses = c(SITEID = "character"),
                   na.strings = "")
  adlb <- read.csv(file.path(dir, "adlb.csv"), na.strings = "")
}
t_read <- proc.time()[["elapsed"]] - t0
cat(sprintf("read (%s)|%.2f|-|%d rows\n", how, t_read, nrow(adlb)))

ns <- nrow(adsl)
itt <- !is.na(adsl$ARM) & adsl$ARM != ""
saf <- !is.na(adsl$TRTSDT) & adsl$TRTSDT != ""
mitt <- itt & saf
subj <- match(adlb$USUBJID, adsl$USUBJID)
if (anyNA(subj)) stop("unknown subject")
if (anyDuplicated(adsl$USUBJID)) stop("duplicate subject")
ady <- adlb$ADY
aval <- adlb$AVAL
tg <- c(1, 10, 28)
visit <- ifelse(ady >= -7 & ady <= 1, 1L, ifelse(ady >= 7 & ady <= 13, 2L,
                ifelse(ady >= 21 & ady <= 35, 3L, NA_integer_)))
param <- match(adlb$PARAMCD, c("LESPROP", "CS6"))
dist <- abs(ady - tg[visit])
o <- order(subj, param, visit, is.na(aval), dist, ady, na.last = TRUE)
key <- (subj * 2 + param) * 4 + ifelse(is.na(visit), 0L, visit)
anl <- logical(length(o))
ok <- !is.na(visit[o]) & !is.na(aval[o])
anl[o[ok]] <- !duplicated(key[o][ok])
abl <- anl & visit %in% 1L
bkey <- subj * 2 + param
base <- aval[abl][match(bkey, bkey[abl])]
post <- !is.na(visit) & visit > 1L
chg <- ifelse(post, aval - base, NA)
pchg <- ifelse(post & base != 0, chg / base * 100, NA)
# LOCF for LESPROP in mITT (baseline carried too), visits DAY10 and DAY28
lp <- param == 1L & anl
m <- matrix(NA_real_, ns, 3)
m[cbind(subj[lp], visit[lp])] <- aval[lp]
b <- m[, 1]
locf_chg <- c()
n_locf <- 0
for (v in 2:3) {
  fill <- is.na(m[, v]) & mitt & !is.na(b)
  m[fill, v] <- m[fill, v - 1]
  n_locf <- n_locf + sum(fill)
  locf_chg <- c(locf_chg, ifelse(b[fill] != 0, (m[fill, v] - b[fill]) / b[fill] * 100, NA))
}
pp <- mitt & adsl$MAJDEVFL != "Y" & seq_len(ns) %in% subj[lp & visit %in% 3L]
# improvement on CS6: fall of 2 categories or category 1; time to the first, else the last
cs <- param == 2L & anl & post & !is.na(base)
crit <- cs & (aval <= base - 2 | aval == 1)
oc <- order(subj[cs], ady[cs])
sc <- subj[cs][oc]
dc <- ady[cs][oc]
cc <- crit[cs][oc]
first_ev <- !duplicated(sc[cc])
ev_day <- rep(NA_real_, ns)
ev_day[sc[cc][first_ev]] <- dc[cc][first_ev]
last_day <- rep(NA_real_, ns)
rl <- rev(seq_along(sc))
last_day[sc[rl][!duplicated(sc[rl])]] <- dc[rl][!duplicated(sc[rl])]
tti <- ifelse(is.na(ev_day), last_day, ev_day)
allp <- c(pchg[!is.na(pchg)], locf_chg[!is.na(locf_chg)])
t_all <- proc.time()[["elapsed"]] - t0
cat(sprintf("read+derive (%s)|%.2f|-|%d subjects, %d records (%d LOCF), mITT %d, PP %d, %d PCHG (mean %.6f), %d improvement times\n",
            how, t_all, ns, nrow(adlb) + n_locf, n_locf, sum(mitt), sum(pp), length(allp),
            mean(allp), sum(!is.na(tti))))
