# rstanarm's posterior of a nested binary model with two grouping factors (school, school:class), for
# Fixtures/bayes/sim_nested_binary_rstanarm.json. Priors as glmm's defaults for a binomial model, unscaled: normal(0, 10)
# on the intercept and each coefficient, each random-intercept SD exponential(1) (decov(1, 1, 1, 1): a scalar term's
# SD is its tau, gamma(1, 1)). 4 chains of 4000 iterations (2000 warm-up), seed 20261205.
# Usage (in Fixtures/): Rscript scripts/bayes_nested_rstanarm.R bayes/sim_nested_binary_rstanarm.json
suppressMessages({library(rstanarm); library(jsonlite)})
out <- commandArgs(TRUE)[1]
d <- read.csv("sim_nested_binary.csv"); d$school <- factor(d$school); d$class <- factor(d$class)
t <- system.time(m <- stan_glmer(y ~ x + z + (1 | school/class), data = d, family = binomial,
  prior = normal(0, 10, autoscale = FALSE), prior_intercept = normal(0, 10, autoscale = FALSE),
  prior_covariance = decov(1, 1, 1, 1), chains = 4, iter = 4000, seed = 20261205, refresh = 0, cores = 2))[["elapsed"]]
draws <- as.matrix(m)
keep <- c("(Intercept)", "x", "z", "Sigma[class:school:(Intercept),(Intercept)]", "Sigma[school:(Intercept),(Intercept)]")
s <- summary(m, pars = keep, probs = c(0.025, 0.5, 0.975))
one <- function(v, name) list(mean = mean(v), sd = sd(v), q025 = unname(quantile(v, 0.025)), q50 = unname(quantile(v, 0.5)),
  q975 = unname(quantile(v, 0.975)), mcse = s[name, "mcse"], n_eff = s[name, "n_eff"], Rhat = s[name, "Rhat"])
post <- list()
for (k in keep[1:3]) post[[k]] <- one(draws[, k], k)
post[["sd(school:class)"]] <- one(sqrt(draws[, keep[4]]), keep[4])
post[["sd(school)"]] <- one(sqrt(draws[, keep[5]]), keep[5])
write_json(list(case = "sim_nested_binary_rstanarm", data = "sim_nested_binary.csv", formula = "y ~ x + z + (1 | school/class)",
  family = "binomial", software = paste("rstanarm", packageVersion("rstanarm")),
  priors = "normal(0, 10) on the intercept and coefficients (autoscale = FALSE); decov(1, 1, 1, 1): each SD exponential(1)",
  chains = 4, iter = 4000, draws = nrow(draws), seconds = t, posterior = post),
  out, digits = NA, auto_unbox = TRUE, pretty = TRUE)
