# Times lme4's profile intervals and parametric bootstrap on the inference references (cbpp by glmer's Laplace,
# sleepstudy by lmer's ML) and one glmer fit of the 1e5-row logistic file, for benchmarks/RESULTS.md.
# Usage: Rscript confint_r.R CBPP.csv SLEEPSTUDY.csv [SIM-100000.csv]
suppressMessages(library(lme4))
args <- commandArgs(TRUE)
cbpp <- read.csv(args[1]); cbpp$herd <- factor(cbpp$herd); cbpp$period <- factor(cbpp$period)
ss <- read.csv(args[2]); ss$Subject <- factor(ss$Subject)
t <- function(label, expr) { s <- system.time(expr)[["elapsed"]]; cat(sprintf("%-40s %8.2f s\n", label, s)) }
m1 <- glmer(cbind(incidence, size - incidence) ~ period + (1 | herd), cbpp, family = binomial)
t("cbpp glmer fit", glmer(cbind(incidence, size - incidence) ~ period + (1 | herd), cbpp, family = binomial))
t("cbpp confint(profile)", confint(m1, method = "profile"))
f1 <- function(m) c(fixef(m), unlist(lapply(VarCorr(m), function(v) sqrt(diag(v)))))
t("cbpp bootMer 1000", bootMer(m1, f1, nsim = 1000, type = "parametric", seed = 1))
m2 <- lmer(Reaction ~ Days + (Days | Subject), ss, REML = FALSE)
t("sleepstudy lmer ML fit", lmer(Reaction ~ Days + (Days | Subject), ss, REML = FALSE))
t("sleepstudy confint(profile)", confint(m2, method = "profile"))
t("sleepstudy bootMer 500", bootMer(m2, f1, nsim = 500, type = "parametric", seed = 1))
if (length(args) >= 3) {
  sim <- read.csv(args[3]); sim$g <- factor(sim$g)
  t("sim 1e5 glmer fit", glmer(y ~ x1 + x2 + x3 + x4 + (1 | g), sim, family = binomial))
}
