# PQL references with several (nested) grouping factors (issue 17): MASS::glmmPQL (MASS 7.3.58.2, nlme 3.1.162) on R 4.2.
# Run from tests/GlmmGpu.Tests/Fixtures: Rscript scripts/crossed_pql_references.R
# glmmPQL fits nlme's lme by ML at each step, with the residual scale estimated (residual_sd); it takes nested
# factors only. varcorr is keyed by lme4's name for the nested term (inner:outer), as the lme4 references are.
suppressMessages({ library(MASS); library(nlme); library(jsonlite) })

ref <- function(case, data, formula, fit, inner, outer, seconds) {
  # Full precision (VarCorr prints 7 digits): each level's relative covariance times sigma^2.
  vcs <- lapply(as.matrix(fit$modelStruct$reStruct), function(m) m * fit$sigma^2)
  level <- function(m) {
    s <- sqrt(diag(m)); names(s) <- colnames(m)
    list(sd = as.list(s), corr = if (length(s) > 1) cov2cor(m)[lower.tri(m)] else numeric(0))
  }
  varcorr <- list()
  varcorr[[outer]] <- level(vcs[[outer]])
  varcorr[[paste0(inner, ":", outer)]] <- level(vcs[[inner]])
  fam <- fit$family
  out <- list(case = case, data = data, formula = formula, family = fam$family, link = fam$link, method = "pql", nAGQ = 0,
              software = "MASS 7.3.58.2 (nlme 3.1.162)", fixef = as.list(fixef(fit)),
              se = as.list(sqrt(diag(vcov(fit)))), varcorr = varcorr, loglik = NULL, nobs = nrow(fit$data),
              residual_sd = fit$sigma, seconds = seconds)
  writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE, null = "null"), paste0(case, ".json"))
}

# grouseticks (lme4): Poisson counts of ticks, broods nested in locations.
g <- read.csv("grouseticks.csv", colClasses = c(INDEX = "factor", BROOD = "factor", YEAR = "factor", LOCATION = "factor"))
t <- system.time(fit <- glmmPQL(TICKS ~ YEAR + cHEIGHT, random = ~ 1 | LOCATION/BROOD, family = poisson, data = g, verbose = FALSE))
ref("grouseticks_nested_pql", "grouseticks.csv", "TICKS ~ YEAR + cHEIGHT + (1 | LOCATION/BROOD)", fit, "BROOD", "LOCATION", t[["elapsed"]])

# Simulated binary outcomes: 40 schools, 5 classes in each (labelled 1..5 within the school), 12 pupils per class.
set.seed(1717)
ns <- 40; nc <- 5; np <- 12
d <- expand.grid(pupil = 1:np, class = 1:nc, school = 1:ns)
d$x <- round(rnorm(nrow(d)), 4)
d$z <- rbinom(nrow(d), 1, 0.4)
bs <- rnorm(ns, 0, 0.7)
bc <- matrix(rnorm(ns * nc, 0, 0.5), ns, nc)
eta <- -0.3 + 0.6 * d$x - 0.5 * d$z + bs[d$school] + bc[cbind(d$school, d$class)]
d$y <- rbinom(nrow(d), 1, plogis(eta))
# A Poisson count with a correlated random intercept and slope on x per school (drawn after y, which it leaves as it was).
bss <- MASS::mvrnorm(ns, c(0, 0), matrix(c(0.25, 0.05, 0.05, 0.09), 2))
d$count <- rpois(nrow(d), exp(0.3 + 0.4 * d$x + bss[d$school, 1] + bss[d$school, 2] * d$x + 0.6 * bc[cbind(d$school, d$class)]))
d$pupil <- NULL
write.csv(d[, c("school", "class", "x", "z", "y", "count")], "sim_nested_binary.csv", row.names = FALSE)
d <- read.csv("sim_nested_binary.csv", colClasses = c(school = "factor", class = "factor"))
t <- system.time(fit <- glmmPQL(y ~ x + z, random = ~ 1 | school/class, family = binomial, data = d, verbose = FALSE))
ref("sim_nested_binary_pql", "sim_nested_binary.csv", "y ~ x + z + (1 | school/class)", fit, "class", "school", t[["elapsed"]])
t <- system.time(fit <- glmmPQL(count ~ x, random = list(school = ~ 1 + x, class = ~ 1), family = poisson, data = d, verbose = FALSE))
ref("sim_nested_slope_poisson_pql", "sim_nested_binary.csv", "count ~ x + (1 + x | school) + (1 | school:class)", fit, "class", "school", t[["elapsed"]])
