namespace GlmmGpu.Fitting.Bayes.Sampling;

/// <summary>
/// The Hamiltonian's kinetic energy p' M^-1 p / 2 with a diagonal or dense inverse metric M^-1 (the posterior's
/// covariance, estimated in warm-up), and the warm-up's estimate of it: the window's sample variances or covariance
/// shrunk towards 1e-3 I as Stan does, n/(n+5) S + 1e-3 5/(n+5) I.
/// </summary>
internal sealed class EuclideanMetric
{
    private readonly int n;
    private readonly bool dense;
    private readonly double[] diagonal;
    private readonly double[,] inverse;
    /// <summary>Upper factor U of M^-1 = U'U (dense): p = U^-1 u has covariance M.</summary>
    private double[,] upper;
    // Welford sums of the window's draws.
    private int count;
    private readonly double[] mean;
    private readonly double[,] comoment;

    public EuclideanMetric(int dimension, bool dense)
    {
        n = dimension;
        this.dense = dense;
        diagonal = Enumerable.Repeat(1.0, n).ToArray();
        inverse = new double[n, n];
        upper = new double[n, n];
        for (int i = 0; i < n; i++) inverse[i, i] = upper[i, i] = 1;
        mean = new double[n];
        comoment = new double[dense ? n : 1, n];
    }

    public bool Dense => dense;

    /// <summary>The diagonal of M^-1.</summary>
    public double[] InverseDiagonal => dense ? Enumerable.Range(0, n).Select(i => inverse[i, i]).ToArray() : diagonal;

    /// <summary>M^-1 p, the velocity.</summary>
    public void Velocity(double[] p, double[] result)
    {
        if (!dense)
        {
            for (int i = 0; i < n; i++) result[i] = diagonal[i] * p[i];
            return;
        }
        for (int i = 0; i < n; i++)
        {
            double s = 0;
            for (int j = 0; j < n; j++) s += inverse[i, j] * p[j];
            result[i] = s;
        }
    }

    public double Kinetic(double[] p, double[] scratch)
    {
        Velocity(p, scratch);
        double s = 0;
        for (int i = 0; i < n; i++) s += p[i] * scratch[i];
        return 0.5 * s;
    }

    /// <summary>p ~ N(0, M).</summary>
    public void SampleMomentum(ChainRandom rng, double[] p)
    {
        if (!dense)
        {
            for (int i = 0; i < n; i++) p[i] = rng.Normal() / Math.Sqrt(diagonal[i]);
            return;
        }
        var u = new double[n];
        for (int i = 0; i < n; i++) u[i] = rng.Normal();
        // Solve U p = u by back substitution.
        for (int i = n - 1; i >= 0; i--)
        {
            double s = u[i];
            for (int j = i + 1; j < n; j++) s -= upper[i, j] * p[j];
            p[i] = s / upper[i, i];
        }
    }

    public void AddDraw(double[] q)
    {
        count++;
        var delta = new double[n];
        for (int i = 0; i < n; i++)
        {
            delta[i] = q[i] - mean[i];
            mean[i] += delta[i] / count;
        }
        if (!dense)
        {
            for (int i = 0; i < n; i++) comoment[0, i] += delta[i] * (q[i] - mean[i]);
            return;
        }
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) comoment[i, j] += delta[i] * (q[j] - mean[j]);
    }

    /// <summary>Sets M^-1 from the window's draws and forgets them.</summary>
    public void UpdateFromWindow()
    {
        if (count < 2) return;
        double w = count / (count + 5.0), shrink = 1e-3 * 5.0 / (count + 5.0);
        if (!dense)
            for (int i = 0; i < n; i++) diagonal[i] = w * comoment[0, i] / (count - 1) + shrink;
        else
        {
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                    inverse[i, j] = w * comoment[i, j] / (count - 1) + (i == j ? shrink : 0);
            upper = UpperCholesky(inverse);
        }
        count = 0;
        Array.Clear(mean);
        Array.Clear(comoment);
    }

    private double[,] UpperCholesky(double[,] a)
    {
        var u = new double[n, n];
        for (int j = 0; j < n; j++)
        {
            double d = a[j, j];
            for (int k = 0; k < j; k++) d -= u[k, j] * u[k, j];
            if (!(d > 0)) throw new InvalidOperationException("the estimated metric is not positive definite");
            u[j, j] = Math.Sqrt(d);
            for (int i = j + 1; i < n; i++)
            {
                double s = a[j, i];
                for (int k = 0; k < j; k++) s -= u[k, j] * u[k, i];
                u[j, i] = s / u[j, j];
            }
        }
        return u;
    }
}
