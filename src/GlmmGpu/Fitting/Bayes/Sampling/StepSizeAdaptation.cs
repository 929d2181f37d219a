namespace GlmmGpu.Fitting.Bayes.Sampling;

/// <summary>
/// Nesterov's dual averaging of log step size towards a target mean acceptance statistic (Hoffman and Gelman 2014),
/// with Stan's constants: gamma 0.05, t0 10, kappa 0.75, mu = log(10 epsilon) after each restart.
/// </summary>
internal sealed class StepSizeAdaptation(double targetAcceptance)
{
    private const double Gamma = 0.05, T0 = 10, Kappa = 0.75;
    private double mu, sBar, xBar;
    private int counter;

    public void Restart(double stepSize)
    {
        mu = Math.Log(10 * stepSize);
        counter = 0;
        sBar = 0;
        xBar = 0;
    }

    /// <summary>The next step size after a transition with mean acceptance statistic <paramref name="acceptStat"/>.</summary>
    public double Learn(double acceptStat)
    {
        counter++;
        acceptStat = Math.Min(1, acceptStat);
        double eta = 1.0 / (counter + T0);
        sBar = (1 - eta) * sBar + eta * (targetAcceptance - acceptStat);
        double x = mu - sBar * Math.Sqrt(counter) / Gamma;
        double xEta = Math.Pow(counter, -Kappa);
        xBar = (1 - xEta) * xBar + xEta * x;
        return Math.Exp(x);
    }

    /// <summary>The step size sampling keeps: the averaged iterate.</summary>
    public double Final => Math.Exp(xBar);
}
