# References for several grouping factors (issue 17): lme4 1.1.31 and glmmTMB 1.1.5 on R 4.2.
# Run from tests/GlmmGpu.Tests/Fixtures: Rscript scripts/crossed_references.R
suppressMessages({ library(lme4); library(glmmTMB); library(jsonlite) })

# Our JSON layout (Fixtures/README.md); varcorr keyed by lme4's group names.
ref <- function(case, data, fit, method, software, extra = list()) {
  isTMB <- inherits(fit, "glmmTMB")
  fe <- if (isTMB) fixef(fit)$cond else fixef(fit)
  se <- sqrt(diag(if (isTMB) vcov(fit)$cond else as.matrix(vcov(fit))))
  vc <- if (isTMB) VarCorr(fit)$cond else VarCorr(fit)
  varcorr <- list()
  for (g in names(vc)) {
    m <- vc[[g]]; s <- attr(m, "stddev")
    cr <- attr(m, "correlation"); corr <- if (length(s) > 1) cr[lower.tri(cr)] else numeric(0)
    varcorr[[g]] <- list(sd = as.list(s), corr = corr)
  }
  fam <- family(fit)
  out <- list(case = case, data = data, formula = paste(deparse(formula(fit), width.cutoff = 500), collapse = ""),
              family = fam$family, link = fam$link, method = method, nAGQ = 1, software = software,
              fixef = as.list(fe), se = as.list(se), varcorr = varcorr, loglik = as.numeric(logLik(fit)),
              nobs = nobs(fit))
  if (!isTMB && isREML(fit)) out$REML <- as.numeric(REMLcrit(fit))
  if (fam$family == "gaussian") out$sigma <- sigma(fit)
  if (!isTMB) out$singular <- isSingular(fit)
  out <- c(out, extra)
  writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), paste0(case, ".json"))
}

# Penicillin: two crossed random intercepts.
write.csv(Penicillin, "penicillin.csv", row.names = FALSE)
pen <- read.csv("penicillin.csv", colClasses = c(plate = "factor", sample = "factor"))
f <- diameter ~ 1 + (1 | plate) + (1 | sample)
ref("penicillin_crossed_reml", "penicillin.csv", lmer(f, pen, REML = TRUE), "reml", "lme4 1.1.31")
ref("penicillin_crossed_ml", "penicillin.csv", lmer(f, pen, REML = FALSE), "ml", "lme4 1.1.31")

# Correlated random intercept and slope for subjects, crossed with items (REML), and the same by Poisson Laplace.
set.seed(17)
ns <- 40; ni <- 25
d <- expand.grid(subj = 1:ns, item = 1:ni)
d <- d[sample(nrow(d), 800), ]
d$x <- round(rnorm(nrow(d)), 4)
bs <- MASS::mvrnorm(ns, c(0, 0), matrix(c(0.8, 0.2, 0.2, 0.3), 2))
bi <- rnorm(ni, 0, 0.6)
eta <- 1 + 0.5 * d$x + bs[d$subj, 1] + bs[d$subj, 2] * d$x + bi[d$item]
d$y <- round(eta + rnorm(nrow(d), 0, 0.7), 4)
d$count <- rpois(nrow(d), exp(0.2 + 0.3 * d$x + 0.6 * (bs[d$subj, 1] + bs[d$subj, 2] * d$x) + 0.5 * bi[d$item]))
write.csv(d, "sim_crossed_slope.csv", row.names = FALSE)
d <- read.csv("sim_crossed_slope.csv", colClasses = c(subj = "factor", item = "factor"))
ref("sim_crossed_slope_reml", "sim_crossed_slope.csv", lmer(y ~ x + (1 + x | subj) + (1 | item), d), "reml", "lme4 1.1.31")
ref("sim_crossed_slope_poisson_tmb", "sim_crossed_slope.csv",
    glmmTMB(count ~ x + (1 + x | subj) + (1 | item), d, family = poisson), "laplace", "glmmTMB 1.1.5")

# grouseticks: three factors, one of them observation-level (overdispersion), Poisson by Laplace.
g <- read.csv("grouseticks.csv", colClasses = c(INDEX = "factor", BROOD = "factor", YEAR = "factor", LOCATION = "factor"))
fg <- TICKS ~ YEAR + cHEIGHT + (1 | INDEX) + (1 | BROOD) + (1 | LOCATION)
ref("grouseticks_crossed_laplace", "grouseticks.csv", glmer(fg, g, family = poisson), "laplace", "lme4 1.1.31")
ref("grouseticks_crossed_tmb", "grouseticks.csv", glmmTMB(fg, g, family = poisson), "laplace", "glmmTMB 1.1.5")
