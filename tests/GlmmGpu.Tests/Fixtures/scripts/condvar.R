# Conditional variances of the random effects (one factor, and two crossed ones) (lme4's ranef(condVar = TRUE) "postVar") for the condVar tests.
# Run from tests/GlmmGpu.Tests/Fixtures: Rscript scripts/condvar.R   (R 4.2, lme4 1.1.31 from Debian's r-cran-lme4)
suppressMessages(library(lme4))
library(jsonlite)
one <- function(m, case) {
  re <- ranef(m, condVar = TRUE)
  out <- list()
  for (f in names(re)) {
    pv <- attr(re[[f]], "postVar")
    q <- dim(pv)[1]
    levels <- rownames(re[[f]])
    out[[f]] <- list(terms = I(colnames(re[[f]])),
      modes = setNames(lapply(seq_along(levels), function(i) I(unname(unlist(re[[f]][i, ])))), levels),
      condvar = setNames(lapply(seq_along(levels), function(i) unname(lapply(seq_len(q), function(r) I(pv[r, , i])))), levels))
  }
  list(case = case, formula = deparse(formula(m)), software = paste("lme4", packageVersion("lme4")),
       loglik = as.numeric(logLik(m)), ranef = out)
}
cbpp <- read.csv("cbpp.csv"); cbpp$herd <- factor(cbpp$herd); cbpp$period <- factor(cbpp$period)
sleep <- read.csv("sleepstudy.csv"); sleep$Subject <- factor(sleep$Subject)
pois <- read.csv("sim_poisson_slope.csv"); pois$g <- factor(pois$g)
pen <- read.csv("penicillin.csv"); pen$plate <- factor(pen$plate); pen$sample <- factor(pen$sample)
verb <- read.csv("verbagg.csv"); for (v in c("Gender", "item", "id", "btype", "situ")) verb[[v]] <- factor(verb[[v]])
cases <- list(
  one(glmer(cbind(incidence, size - incidence) ~ period + (1 | herd), cbpp, binomial), "cbpp_laplace"),
  one(lmer(Reaction ~ Days + (Days | Subject), sleep, REML = TRUE), "sleepstudy_reml"),
  one(lmer(Reaction ~ Days + (Days | Subject), sleep, REML = FALSE), "sleepstudy_ml"),
  one(glmer(y ~ x + (1 + x | g), pois, poisson), "sim_poisson_slope_laplace"),
  one(lmer(diameter ~ 1 + (1 | plate) + (1 | sample), pen, REML = TRUE), "penicillin_crossed_reml"),
  one(glmer(r2 ~ Anger + Gender + btype + situ + (1 | id) + (1 | item), verb, binomial), "verbagg_crossed_laplace"))
names(cases) <- sapply(cases, `[[`, "case")
writeLines(toJSON(cases, digits = NA, auto_unbox = TRUE, pretty = TRUE), "inference/condvar_lme4.json")
