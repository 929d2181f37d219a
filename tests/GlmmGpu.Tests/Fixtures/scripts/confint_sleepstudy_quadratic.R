# lme4's profile intervals of a linear mixed model with three correlated random effects (ML), for
# Fixtures/inference/sleepstudy_quadratic_confint.json. Usage: Rscript confint_sleepstudy_quadratic.R sleepstudy.csv OUT.json
suppressMessages({library(lme4); library(jsonlite)})
args <- commandArgs(TRUE)
d <- read.csv(args[1]); d$Subject <- factor(d$Subject); d$Days2 <- d$Days^2 / 10
m <- lmer(Reaction ~ Days + (Days + Days2 | Subject), d, REML = FALSE)
s <- system.time(ci <- confint(m, method = "profile", oldNames = FALSE))[["elapsed"]]
print(ci, digits = 10)
out <- list(case = "sleepstudy_quadratic_confint", data = "sleepstudy.csv", formula = "Reaction ~ Days + (Days + Days2 | Subject)",
  note = "Days2 = Days^2 / 10", family = "gaussian", software = paste("lme4", packageVersion("lme4")),
  loglik = as.numeric(logLik(m)), level = 0.95,
  profile = setNames(lapply(seq_len(nrow(ci)), function(i) unname(ci[i, ])), rownames(ci)), profile_seconds = s)
write_json(out, args[2], digits = NA, auto_unbox = TRUE, pretty = TRUE)
