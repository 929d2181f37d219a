namespace GlmmGpu.Fitting.Optimization;

/// <summary>The optimizer's record of a run (MixedModels.jl keeps the same in its OptSummary), with its final
/// inverse-Hessian approximation, from which a follow-on fit can start.</summary>
public sealed record OptimizationSummary(
    double[] Minimizer,
    double Minimum,
    double[] Gradient,
    int Iterations,
    int Evaluations,
    bool Converged,
    string Message,
    IReadOnlyList<double> History,
    double[,] InverseHessian);

/// <summary>
/// BFGS with a strong-Wolfe line search (Nocedal and Wright, algorithms 3.5 and 3.6) for smooth objectives
/// with exact gradients. Written here rather than taken from a library because the objective may fail
/// (return +Infinity) at trial points far from the optimum, which the line search must treat as "too far"
/// rather than as an exception, and because the fit reports its own iteration log and convergence test.
/// </summary>
public static class Bfgs
{
    /// <summary>Objective: writes the gradient into the span and returns the value (+Infinity where undefined).</summary>
    public delegate double Objective(ReadOnlySpan<double> x, Span<double> gradient);

    /// <param name="initialInverseHessian">A guess at the inverse Hessian at x0 (e.g. from a GLM fit) that sets the
    /// scale of each parameter; null starts from the identity, rescaled after the first step.</param>
    public static OptimizationSummary Minimize(Objective f, double[] x0, int maxIterations, double gradientTolerance,
        Action<int, double>? progress = null, double[,]? initialInverseHessian = null)
    {
        int n = x0.Length;
        var x = (double[])x0.Clone();
        var g = new double[n];
        int evaluations = 1;
        double fx = f(x, g);
        if (!double.IsFinite(fx))
            throw new GlmmException("the log-likelihood is not finite at the starting values (check the family, link and response)");
        var start = initialInverseHessian ?? Identity(n);
        var hInv = (double[,])start.Clone();
        bool scaled = initialInverseHessian is not null;
        var history = new List<double> { fx };
        var d = new double[n];
        var xNew = new double[n];
        var gNew = new double[n];
        string message = "iteration limit reached";
        bool converged = false;
        int iter = 0;
        int stalls = 0;
        for (iter = 1; iter <= maxIterations; iter++)
        {
            MatVec(hInv, g, d, -1.0);
            double slope = Dot(g, d);
            if (!(slope < 0))
            {
                hInv = (double[,])start.Clone();
                scaled = !SameAs(start, Identity(n));
                MatVec(hInv, g, d, -1.0);
                slope = Dot(g, d);
            }
            // Before the curvature is known, cap the first trial step at 0.1 in the parameters: a longer one can land a
            // variance parameter on zero, a stationary point of the likelihood by symmetry.
            double alpha0 = scaled ? 1.0 : Math.Min(1.0, 0.1 / Math.Max(1e-12, MaxAbs(d)));
            double fNew = LineSearch(f, x, fx, g, d, slope, alpha0, xNew, gNew, ref evaluations, out double alpha);
            if (!double.IsFinite(fNew) || fNew > fx)
            {
                if (SameAs(hInv, start))
                {
                    if (initialInverseHessian is not null && !SameAs(start, Identity(n)))
                    {
                        // The supplied scaling misled the search: fall back to the identity, rescaled as usual.
                        start = Identity(n);
                        hInv = Identity(n);
                        scaled = false;
                        continue;
                    }
                    message = "line search failed to find a better point";
                    converged = Decrement(hInv, g) < gradientTolerance;
                    break;
                }
                hInv = (double[,])start.Clone();
                scaled = !SameAs(start, Identity(n));
                continue;
            }
            var s = new double[n];
            var y = new double[n];
            for (int i = 0; i < n; i++)
            {
                s[i] = xNew[i] - x[i];
                y[i] = gNew[i] - g[i];
            }
            double sy = Dot(s, y);
            double change = fx - fNew;
            Array.Copy(xNew, x, n);
            Array.Copy(gNew, g, n);
            fx = fNew;
            history.Add(fx);
            progress?.Invoke(iter, fx);
            if (sy > 1e-12 * Math.Sqrt(Dot(s, s) * Dot(y, y)))
            {
                if (!scaled)
                {
                    // Nocedal-Wright (6.20): scale the initial inverse Hessian to the observed curvature.
                    double scale = sy / Dot(y, y);
                    hInv = Identity(n);
                    for (int i = 0; i < n; i++) hInv[i, i] = scale;
                    scaled = true;
                }
                Update(hInv, s, y, sy);
            }
            double dec = Decrement(hInv, g);
            if (scaled && dec < gradientTolerance)
            {
                converged = true;
                message = "converged: the Newton decrement is below tolerance";
                break;
            }
            if (change <= 1e-13 * (1 + Math.Abs(fx)))
            {
                if (++stalls >= 3)
                {
                    converged = dec < 1e3 * gradientTolerance;
                    message = "no further progress";
                    break;
                }
            }
            else stalls = 0;
        }
        return new OptimizationSummary(x, fx, g, Math.Min(iter, maxIterations), evaluations, converged, message, history, hInv);
    }

    /// <summary>g' H^-1 g: twice the decrease a Newton step would predict.</summary>
    private static double Decrement(double[,] hInv, double[] g)
    {
        var t = new double[g.Length];
        MatVec(hInv, g, t, 1.0);
        return Dot(g, t);
    }

    private static double LineSearch(Objective f, double[] x, double f0, double[] g0, double[] d, double slope0, double alpha1,
        double[] xOut, double[] gOut, ref int evaluations, out double alphaOut)
    {
        const double c1 = 1e-4, c2 = 0.9;
        double alphaPrev = 0, fPrev = f0, slopePrev = slope0;
        double alpha = alpha1;
        var gTrial = new double[x.Length];
        for (int i = 0; i < 30; i++)
        {
            double fa = Trial(f, x, d, alpha, xOut, gTrial, ref evaluations);
            double sa = double.IsFinite(fa) ? Dot(gTrial, d) : double.NaN;
            if (!double.IsFinite(fa) || fa > f0 + c1 * alpha * slope0 || (i > 0 && fa >= fPrev))
            {
                if (!double.IsFinite(fa) && alphaPrev == 0)
                {
                    // Undefined at this step: shrink hard, staying in the first bracket.
                    alpha *= 0.1;
                    continue;
                }
                return Zoom(f, x, f0, slope0, d, alphaPrev, fPrev, slopePrev, alpha, fa, sa, xOut, gOut, ref evaluations, out alphaOut);
            }
            if (Math.Abs(sa) <= -c2 * slope0)
            {
                Array.Copy(gTrial, gOut, gOut.Length);
                alphaOut = alpha;
                return fa;
            }
            if (sa >= 0)
                return Zoom(f, x, f0, slope0, d, alpha, fa, sa, alphaPrev, fPrev, slopePrev, xOut, gOut, ref evaluations, out alphaOut);
            alphaPrev = alpha;
            fPrev = fa;
            slopePrev = sa;
            Array.Copy(gTrial, gOut, gOut.Length);
            alpha *= 2.0;
        }
        alphaOut = alphaPrev;
        return alphaPrev > 0 ? Trial(f, x, d, alphaPrev, xOut, gOut, ref evaluations) : double.PositiveInfinity;
    }

    private static double Zoom(Objective f, double[] x, double f0, double slope0, double[] d,
        double lo, double fLo, double sLo, double hi, double fHi, double sHi,
        double[] xOut, double[] gOut, ref int evaluations, out double alphaOut)
    {
        const double c1 = 1e-4, c2 = 0.9;
        var gTrial = new double[x.Length];
        double bestAlpha = lo, bestF = fLo;
        for (int i = 0; i < 40; i++)
        {
            double alpha = Interpolate(lo, fLo, sLo, hi, fHi, sHi);
            double fa = Trial(f, x, d, alpha, xOut, gTrial, ref evaluations);
            double sa = double.IsFinite(fa) ? Dot(gTrial, d) : double.NaN;
            if (!double.IsFinite(fa) || fa > f0 + c1 * alpha * slope0 || fa >= fLo)
            {
                hi = alpha; fHi = fa; sHi = sa;
            }
            else
            {
                if (fa < bestF) { bestF = fa; bestAlpha = alpha; }
                if (Math.Abs(sa) <= -c2 * slope0)
                {
                    Array.Copy(gTrial, gOut, gOut.Length);
                    alphaOut = alpha;
                    return fa;
                }
                if (sa * (hi - lo) >= 0)
                {
                    hi = lo; fHi = fLo; sHi = sLo;
                }
                lo = alpha; fLo = fa; sLo = sa;
            }
            if (Math.Abs(hi - lo) < 1e-14 * Math.Max(1.0, Math.Abs(lo))) break;
        }
        alphaOut = bestAlpha;
        if (bestAlpha == 0) return double.PositiveInfinity;
        return Trial(f, x, d, bestAlpha, xOut, gOut, ref evaluations);
    }

    /// <summary>Minimiser of the cubic through both ends (values and slopes), kept well inside the bracket;
    /// bisection where an end is undefined.</summary>
    private static double Interpolate(double a, double fa, double sa, double b, double fb, double sb)
    {
        double lo = Math.Min(a, b), hi = Math.Max(a, b), width = hi - lo;
        if (double.IsFinite(fa) && double.IsFinite(fb) && double.IsFinite(sa) && double.IsFinite(sb))
        {
            double d1 = sa + sb - 3 * (fa - fb) / (a - b);
            double disc = d1 * d1 - sa * sb;
            if (disc >= 0)
            {
                double d2 = Math.Sign(b - a) * Math.Sqrt(disc);
                double t = b - (b - a) * (sb + d2 - d1) / (sb - sa + 2 * d2);
                if (double.IsFinite(t) && t > lo + 0.1 * width && t < hi - 0.1 * width) return t;
            }
        }
        return 0.5 * (a + b);
    }

    private static double Trial(Objective f, double[] x, double[] d, double alpha, double[] xOut, double[] gOut, ref int evaluations)
    {
        for (int i = 0; i < x.Length; i++) xOut[i] = x[i] + alpha * d[i];
        evaluations++;
        double v = f(xOut, gOut);
        return double.IsNaN(v) ? double.PositiveInfinity : v;
    }

    private static void Update(double[,] h, double[] s, double[] y, double sy)
    {
        int n = s.Length;
        var hy = new double[n];
        MatVec(h, y, hy, 1.0);
        double yhy = Dot(y, hy);
        double rho = 1.0 / sy;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                h[i, j] += rho * ((1 + rho * yhy) * s[i] * s[j] - hy[i] * s[j] - s[i] * hy[j]);
    }

    private static double[,] Identity(int n)
    {
        var m = new double[n, n];
        for (int i = 0; i < n; i++) m[i, i] = 1.0;
        return m;
    }

    private static bool SameAs(double[,] a, double[,] b)
    {
        int n = a.GetLength(0);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                if (a[i, j] != b[i, j]) return false;
        return true;
    }

    private static void MatVec(double[,] m, double[] v, double[] result, double sign)
    {
        int n = v.Length;
        for (int i = 0; i < n; i++)
        {
            double s = 0;
            for (int j = 0; j < n; j++) s += m[i, j] * v[j];
            result[i] = sign * s;
        }
    }

    private static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }

    private static double MaxAbs(double[] a)
    {
        double m = 0;
        foreach (var v in a) m = Math.Max(m, Math.Abs(v));
        return m;
    }
}
