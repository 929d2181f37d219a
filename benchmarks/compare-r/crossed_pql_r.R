# Times MASS::glmmPQL (and glmer's Laplace) on a nested binary data set written by glmm simulate (issue 17's PQL with
# several factors). Usage: Rscript benchmarks/compare-r/crossed_pql_r.R DATA.csv
# The data: glmm simulate --rows 50000 --groups school=500 --groups class=10/school --sd school=0.7 --sd class=0.5 \
#     --family binomial --seed 17 --out nested_5e4.csv
suppressMessages({ library(MASS); library(nlme); library(lme4) })
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], colClasses = c(school = "factor", class = "factor"))
t <- system.time(fit <- glmmPQL(y ~ x1 + x2 + x3 + x4, random = ~ 1 | school/class, family = binomial, data = d, verbose = FALSE))
cat(sprintf("glmmPQL: %.2f s\n", t[["elapsed"]]))
print(fixef(fit), digits = 7)
print(VarCorr(fit))
t <- system.time(g <- glmer(y ~ x1 + x2 + x3 + x4 + (1 | school/class), data = d, family = binomial))
cat(sprintf("glmer: %.2f s\n", t[["elapsed"]]))
print(fixef(g), digits = 7)
print(VarCorr(g), digits = 7)
print(logLik(g))
