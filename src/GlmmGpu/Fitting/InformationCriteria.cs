namespace GlmmGpu.Fitting;

/// <summary>Deviance, AIC and BIC from a log-likelihood, as R's <c>AIC</c> and <c>BIC</c> (k parameters, n rows).</summary>
public static class InformationCriteria
{
    public static double Deviance(double logLik) => -2 * logLik;

    public static double Aic(double logLik, int parameters) => Deviance(logLik) + 2 * parameters;

    public static double Bic(double logLik, int parameters, int rows) => Deviance(logLik) + Math.Log(rows) * parameters;
}
