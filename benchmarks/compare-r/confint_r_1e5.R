# Times lme4's profile intervals on the 1e5-row logistic benchmark file (glmm simulate --rows 100000 --groups 10000
# --family binomial), for benchmarks/RESULTS.md. Usage: Rscript confint_r_1e5.R sim-100000.csv
suppressMessages(library(lme4))
sim <- read.csv(commandArgs(TRUE)[1]); sim$g <- factor(sim$g)
s1 <- system.time(m <- glmer(y ~ x1 + x2 + x3 + x4 + (1 | g), sim, family = binomial))[["elapsed"]]
cat(sprintf("glmer fit %.2f s\n", s1))
s2 <- system.time(ci <- confint(m, method = "profile", oldNames = FALSE))[["elapsed"]]
cat(sprintf("confint(profile) %.2f s\n", s2))
print(ci, digits = 8)
