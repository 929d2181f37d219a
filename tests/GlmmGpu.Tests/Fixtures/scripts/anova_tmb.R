# Likelihood-ratio tests by glmmTMB (its optimiser reaches the optimum where lme4's glmer stops ~2e-4 short on cbpp),
# for the anova tests beside lme4's (cbpp_inference.json, sleepstudy_ml_inference.json).
# Run from tests/GlmmGpu.Tests/Fixtures: Rscript scripts/anova_tmb.R   (R 4.2, glmmTMB from Debian's r-cran-glmmtmb)
suppressMessages(library(glmmTMB))
library(jsonlite)
test <- function(m0, m1, case) {
  a <- anova(m0, m1)
  list(case = case, software = paste("glmmTMB", packageVersion("glmmTMB")),
       formulas = c(deparse(formula(m0)), deparse(formula(m1))),
       loglik = c(as.numeric(logLik(m0)), as.numeric(logLik(m1))),
       Chisq = a$Chisq[2], Df = a[["Chi Df"]][2], p = a[["Pr(>Chisq)"]][2])
}
cbpp <- read.csv("cbpp.csv"); cbpp$herd <- factor(cbpp$herd); cbpp$period <- factor(cbpp$period)
sleep <- read.csv("sleepstudy.csv"); sleep$Subject <- factor(sleep$Subject)
out <- list(
  cbpp = test(glmmTMB(cbind(incidence, size - incidence) ~ 1 + (1 | herd), cbpp, binomial),
              glmmTMB(cbind(incidence, size - incidence) ~ period + (1 | herd), cbpp, binomial), "cbpp"),
  sleepstudy_ml = test(glmmTMB(Reaction ~ 1 + (Days | Subject), sleep, REML = FALSE),
                       glmmTMB(Reaction ~ Days + (Days | Subject), sleep, REML = FALSE), "sleepstudy_ml"))
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE), "inference/anova_glmmtmb.json")
