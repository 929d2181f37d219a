suppressMessages(library(lme4))
m <- lmer(Reaction ~ Days + (Days | Subject), sleepstudy)
print(confint(m, oldNames=FALSE), digits=10)
