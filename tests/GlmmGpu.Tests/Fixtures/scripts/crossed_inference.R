# lme4's profile intervals and parametric bootstrap (bootMer, percentile intervals and bootstrap SDs) of two fits with
# several grouping factors, for Fixtures/inference/penicillin_crossed_ml_inference.json and
# grouseticks_crossed_inference.json. Usage (in Fixtures/): Rscript scripts/crossed_inference.R OUTDIR
suppressMessages({library(lme4); library(jsonlite)})
out_dir <- commandArgs(TRUE)[1]

stats <- function(m) {
  vc <- as.data.frame(VarCorr(m), order = "lower.tri")
  sds <- vc[is.na(vc$var2) & vc$grp != "Residual", ]
  v <- c(fixef(m), setNames(sds$sdcor, paste0("sd_", sds$var1, "|", sds$grp)))
  if (isLMM(m)) v <- c(v, sigma = sigma(m))
  v
}

reference <- function(case, data, formula, family, fit, nsim) {
  s <- system.time(ci <- confint(fit, method = "profile", oldNames = FALSE))[["elapsed"]]
  bs <- system.time(b <- bootMer(fit, stats, nsim = nsim, seed = 20261205, type = "parametric"))[["elapsed"]]
  ok <- stats::complete.cases(b$t)
  names_t <- names(b$t0)
  pct <- lapply(seq_along(names_t), function(i) unname(boot::boot.ci(b, type = "perc", index = i)$percent[4:5]))
  list(case = case, data = data, formula = formula, family = family,
    software = paste("lme4", packageVersion("lme4")), loglik = as.numeric(logLik(fit)), fixef = as.list(fixef(fit)),
    level = 0.95,
    profile = setNames(lapply(seq_len(nrow(ci)), function(i) unname(ci[i, ])), rownames(ci)), profile_seconds = s,
    boot = list(nsim = nsim, used = sum(ok), seed = 20261205, seconds = bs, t0 = as.list(b$t0),
      percentile = setNames(pct, names_t),
      sd = setNames(as.list(apply(b$t[ok, , drop = FALSE], 2, sd)), names_t)))
}

p <- read.csv("penicillin.csv")
m <- lmer(diameter ~ 1 + (1 | plate) + (1 | sample), p, REML = FALSE)
write_json(reference("penicillin_crossed_ml_inference", "penicillin.csv", "diameter ~ 1 + (1 | plate) + (1 | sample)", "gaussian", m, 1000),
  file.path(out_dir, "penicillin_crossed_ml_inference.json"), digits = NA, auto_unbox = TRUE, pretty = TRUE)

g <- read.csv("grouseticks.csv")
for (f in c("INDEX", "BROOD", "LOCATION", "YEAR")) g[[f]] <- factor(g[[f]])
m <- glmer(TICKS ~ YEAR + cHEIGHT + (1 | INDEX) + (1 | BROOD) + (1 | LOCATION), g, family = poisson)
write_json(reference("grouseticks_crossed_inference", "grouseticks.csv", "TICKS ~ YEAR + cHEIGHT + (1 | INDEX) + (1 | BROOD) + (1 | LOCATION)", "poisson", m, 500),
  file.path(out_dir, "grouseticks_crossed_inference.json"), digits = NA, auto_unbox = TRUE, pretty = TRUE)

# A correlated random slope beside a crossed intercept (lmer ML): every SD, the correlation and sigma profiled.
s <- read.csv("sim_crossed_slope.csv"); s$subj <- factor(s$subj); s$item <- factor(s$item)
m <- lmer(y ~ x + (1 + x | subj) + (1 | item), s, REML = FALSE)
t <- system.time(ci <- confint(m, method = "profile", oldNames = FALSE))[["elapsed"]]
write_json(list(case = "sim_crossed_slope_ml_confint", data = "sim_crossed_slope.csv", formula = "y ~ x + (1 + x | subj) + (1 | item)",
  family = "gaussian", software = paste("lme4", packageVersion("lme4")), loglik = as.numeric(logLik(m)), level = 0.95,
  profile = setNames(lapply(seq_len(nrow(ci)), function(i) unname(ci[i, ])), rownames(ci)), profile_seconds = t),
  file.path(out_dir, "sim_crossed_slope_ml_confint.json"), digits = NA, auto_unbox = TRUE, pretty = TRUE)
