# Reference values for ConvergenceDiagnosticsTests: R-hat, bulk/tail ESS, the mean's ESS and MCSE of fixed draws,
# computed by the definitions of Vehtari et al. (2021) as R's posterior package implements them (FFT
# autocovariance, Geyer's initial monotone sequence, rank normalisation with qnorm((r - 3/8)/(S + 1/4))).
# The posterior package is not installed here, so its definitions are restated below in base R.
# Run from this folder: Rscript posterior_diagnostics.R  (writes ../bayes/posterior_diagnostics_draws.csv and _reference.json)
set.seed(20261205)
n <- 999  # odd: split chains drop the middle draw; not an FFT "good size": exercises the padding factor
chains <- 4
ar1 <- function(n, rho, mu) { x <- numeric(n); x[1] <- rnorm(1) / sqrt(1 - rho^2); for (t in 2:n) x[t] <- rho * x[t - 1] + rnorm(1); x + mu }
draws <- list(
  iid = sapply(1:chains, function(c) rnorm(n)),
  ar09 = sapply(1:chains, function(c) ar1(n, 0.9, 0)),
  shifted = sapply(1:chains, function(c) ar1(n, 0.5, ifelse(c == 4, 0.5, 0))),
  skewed = sapply(1:chains, function(c) exp(ar1(n, 0.3, 0))),
  discrete = sapply(1:chains, function(c) round(ar1(n, 0.6, 0)))
)
fft_next_good_size <- function(N) {
  if (N <= 2) return(2)
  repeat { m <- N; while (m %% 2 == 0) m <- m / 2; while (m %% 3 == 0) m <- m / 3; while (m %% 5 == 0) m <- m / 5
    if (m <= 1) return(N); N <- N + 1 }
}
autocovariance <- function(x) {
  N <- length(x); Mt2 <- 2 * fft_next_good_size(N)
  yc <- c(x - mean(x), rep.int(0, Mt2 - N))
  tr <- fft(yc); ac <- fft(Conj(tr) * tr, inverse = TRUE)
  Re(ac)[1:N] / (N^2 * 2)
}
split_chains <- function(x) { n <- nrow(x); h <- n / 2; cbind(x[1:floor(h), , drop = FALSE], x[ceiling(h + 1):n, , drop = FALSE]) }
z_scale <- function(x) { r <- rank(as.vector(x), ties.method = "average"); z <- qnorm((r - 3/8) / (length(r) + 1/4)); dim(z) <- dim(x); z }
rhat_basic <- function(x) { n <- nrow(x); sqrt((n * var(colMeans(x)) / mean(apply(x, 2, var)) + n - 1) / n) }
ess <- function(x) {
  chains <- ncol(x); n <- nrow(x)
  acov <- sapply(1:chains, function(i) autocovariance(x[, i]))
  mean_var <- mean(acov[1, ]) * n / (n - 1)
  var_plus <- mean_var * (n - 1) / n + var(colMeans(x))
  rho <- rep.int(0, n); t <- 0; even <- 1; rho[1] <- even
  odd <- 1 - (mean_var - mean(acov[2, ])) / var_plus; rho[2] <- odd
  while (t < nrow(acov) - 5 && !is.nan(even + odd) && even + odd > 0) {
    t <- t + 2
    even <- 1 - (mean_var - mean(acov[t + 1, ])) / var_plus
    odd <- 1 - (mean_var - mean(acov[t + 2, ])) / var_plus
    if (even + odd >= 0) { rho[t + 1] <- even; rho[t + 2] <- odd }
  }
  max_t <- t
  if (even > 0) rho[max_t + 1] <- even
  t <- 0
  while (t <= max_t - 4) {
    t <- t + 2
    if (rho[t + 1] + rho[t + 2] > rho[t - 1] + rho[t]) { rho[t + 1] <- (rho[t - 1] + rho[t]) / 2; rho[t + 2] <- rho[t + 1] }
  }
  s <- chains * n
  tau <- -1 + 2 * sum(rho[1:max_t]) + rho[max_t + 1]
  s / max(tau, 1 / log10(s))
}
rhat <- function(x) max(rhat_basic(z_scale(split_chains(x))), rhat_basic(z_scale(split_chains(abs(x - median(x))))))
ess_bulk <- function(x) ess(z_scale(split_chains(x)))
ess_q <- function(x, p) ess(split_chains(1 * (x <= quantile(x, p))))
ess_tail <- function(x) min(ess_q(x, 0.05), ess_q(x, 0.95))
ess_mean <- function(x) ess(split_chains(x))
mcse_mean <- function(x) sd(as.vector(x)) / sqrt(ess_mean(x))
out <- do.call(cbind, lapply(names(draws), function(k) { d <- draws[[k]]; colnames(d) <- paste0(k, ".", 1:chains); d }))
text <- apply(out, 2, function(v) sprintf("%.17g", v))
write.csv(text, "../bayes/posterior_diagnostics_draws.csv", row.names = FALSE, quote = FALSE)
ref <- lapply(draws, function(x) list(rhat = rhat(x), ess_bulk = ess_bulk(x), ess_tail = ess_tail(x), ess_mean = ess_mean(x), mcse_mean = mcse_mean(x),
  rhat_basic_split = rhat_basic(split_chains(x))))
json <- paste0("{\n", paste(sprintf("  \"%s\": {%s}", names(ref), sapply(ref, function(r) paste(sprintf("\"%s\": %.17g", names(r), unlist(r)), collapse = ", "))), collapse = ",\n"), "\n}\n")
writeLines(json, "../bayes/posterior_diagnostics_reference.json", sep = "")
