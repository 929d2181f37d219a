# Issue 17's scale runs: a crossed binary data set with N rows, N/100 subjects (random intercept and slope) crossed
# with ITEMS items (random intercept), from the same model as crossed_r.R's 2e5-row file.
# Rscript benchmarks/compare-r/crossed_scale_data.R N ITEMS OUTFILE [fit]   (with "fit", glmer is timed on it too)
suppressMessages({ library(lme4) })
args <- commandArgs(trailingOnly = TRUE)
n <- as.numeric(args[1]); ni <- as.integer(args[2]); out <- args[3]
ns <- as.integer(n / 100)
set.seed(21)
d <- data.frame(subj = sample(ns, n, TRUE), item = sample(ni, n, TRUE), x = round(rnorm(n), 4))
bs <- MASS::mvrnorm(ns, c(0, 0), matrix(c(0.5, 0.1, 0.1, 0.2), 2))
bi <- rnorm(ni, 0, 0.5)
d$y <- rbinom(n, 1, plogis(-0.3 + 0.5 * d$x + bs[d$subj, 1] + bs[d$subj, 2] * d$x + bi[d$item]))
write.csv(d, out, row.names = FALSE)
if (length(args) > 3 && args[4] == "fit") {
  d <- read.csv(out, colClasses = c(subj = "factor", item = "factor"))
  t <- system.time(fit <- glmer(y ~ x + (1 + x | subj) + (1 | item), d, family = binomial))
  cat(sprintf("crossed binary %g rows glmer Laplace: %.2f s elapsed; logLik %.4f; fixef %s\n", n, t[["elapsed"]], logLik(fit),
    paste(format(fixef(fit), digits = 10), collapse = " ")))
  print(VarCorr(fit), digits = 6)
}
