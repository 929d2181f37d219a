# lme4's profile intervals of a Poisson GLMM with a correlated random intercept and slope (Laplace), for
# Fixtures/inference/sim_poisson_slope_confint.json. Usage: Rscript confint_poisson_slope.R sim_poisson_slope.csv OUT.json
suppressMessages({library(lme4); library(jsonlite)})
args <- commandArgs(TRUE)
d <- read.csv(args[1]); d$g <- factor(d$g)
m <- glmer(y ~ x + (1 + x | g), d, family = poisson)
s <- system.time(ci <- confint(m, method = "profile", oldNames = FALSE))[["elapsed"]]
out <- list(case = "sim_poisson_slope_confint", data = "sim_poisson_slope.csv", formula = "y ~ x + (1 + x | g)",
  family = "poisson", software = paste("lme4", packageVersion("lme4")), loglik = as.numeric(logLik(m)), level = 0.95,
  profile = setNames(lapply(seq_len(nrow(ci)), function(i) unname(ci[i, ])), rownames(ci)), profile_seconds = s)
write_json(out, args[2], digits = NA, auto_unbox = TRUE, pretty = TRUE)
