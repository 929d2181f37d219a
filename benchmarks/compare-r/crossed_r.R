# Issue 17's speed comparison with R: writes the data files and times lme4 on them.
# Rscript benchmarks/compare-r/crossed_r.R OUTDIR   (files are not committed: InstEval's CSV is 2.6 MB)
suppressMessages({ library(lme4) })
args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args) > 0) args[1] else "."
ie <- lme4::InstEval
write.csv(ie, file.path(out, "insteval.csv"), row.names = FALSE)
ie <- read.csv(file.path(out, "insteval.csv"), colClasses = c(s = "factor", d = "factor", dept = "factor", service = "factor", studage = "factor", lectage = "factor"))
t <- system.time(fit <- lmer(y ~ service + (1 | s) + (1 | d) + (1 | dept:service), ie, REML = TRUE))
cat(sprintf("InstEval lmer REML: %.2f s elapsed; REML criterion %.4f; fixef %s; sd %s; sigma %.6f\n", t[["elapsed"]], REMLcrit(fit),
  paste(format(fixef(fit), digits = 10), collapse = " "), paste(format(sqrt(unlist(VarCorr(fit))), digits = 8), collapse = " "), sigma(fit)))

# A crossed binary model at 2e5 rows: 2000 subjects with a random intercept and slope, crossed with 500 items.
if (length(args) > 1 && args[2] == "binary") {
  set.seed(20)
  n <- 200000; ns <- 2000; ni <- 500
  d <- data.frame(subj = sample(ns, n, TRUE), item = sample(ni, n, TRUE), x = round(rnorm(n), 4))
  bs <- MASS::mvrnorm(ns, c(0, 0), matrix(c(0.5, 0.1, 0.1, 0.2), 2))
  bi <- rnorm(ni, 0, 0.5)
  d$y <- rbinom(n, 1, plogis(-0.3 + 0.5 * d$x + bs[d$subj, 1] + bs[d$subj, 2] * d$x + bi[d$item]))
  write.csv(d, file.path(out, "crossed_binary_2e5.csv"), row.names = FALSE)
  d <- read.csv(file.path(out, "crossed_binary_2e5.csv"), colClasses = c(subj = "factor", item = "factor"))
  t <- system.time(fit <- glmer(y ~ x + (1 + x | subj) + (1 | item), d, family = binomial))
  cat(sprintf("crossed binary 2e5 glmer Laplace: %.2f s elapsed; logLik %.4f; fixef %s; se %s\n", t[["elapsed"]], logLik(fit),
    paste(format(fixef(fit), digits = 10), collapse = " "), paste(format(sqrt(diag(as.matrix(vcov(fit)))), digits = 6), collapse = " ")))
  print(VarCorr(fit), digits = 6)
}
