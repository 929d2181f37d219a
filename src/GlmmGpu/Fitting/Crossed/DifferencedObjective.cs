using GlmmGpu.Fitting.Optimization;

namespace GlmmGpu.Fitting.Crossed;

/// <summary>
/// A criterion without an exact gradient as BFGS's objective: the gradient by differences, and a repeat of the last
/// point answered from memory. Far from the optimum (the criterion still moving between the points asked for) forward
/// differences, one evaluation per parameter, are enough to point the way; near it, central differences, each step near
/// eps^(1/3) relative to the parameter (it balances the criterion's rounding, which grows with n, against the
/// truncation error), give the gradient the convergence test needs.
/// </summary>
internal static class DifferencedObjective
{
    public static Bfgs.Objective Of(Func<double[], double> criterion, Action? evaluated = null)
    {
        double[]? lastPoint = null;
        double[] lastGradient = [];
        double lastValue = 0;
        double? lastCentre = null;
        double Value(double[] x)
        {
            evaluated?.Invoke();
            double f = criterion(x);
            return double.IsFinite(f) ? f : double.PositiveInfinity;
        }
        return (x, gradient) =>
        {
            if (lastPoint is not null && x.SequenceEqual(lastPoint) && (gradient.IsEmpty || lastGradient.Length == gradient.Length))
            {
                lastGradient.AsSpan(0, gradient.Length).CopyTo(gradient);
                return lastValue;
            }
            var point = x.ToArray();
            double f = Value(point);
            if (!gradient.IsEmpty && double.IsFinite(f))
            {
                bool central = lastCentre is { } previous && Math.Abs(f - previous) <= 1e-4 * (1 + Math.Abs(f));
                lastCentre = f;
                for (int k = 0; k < point.Length; k++)
                {
                    double h = 1e-5 * Math.Max(1.0, Math.Abs(point[k])), original = point[k];
                    point[k] = original + h;
                    double up = Value(point);
                    double down = f;
                    if (central)
                    {
                        point[k] = original - h;
                        down = Value(point);
                    }
                    point[k] = original;
                    gradient[k] = central ? (up - down) / (2 * h) : (up - down) / h;
                }
            }
            lastPoint = point;
            lastGradient = gradient.ToArray();
            lastValue = f;
            return f;
        };
    }
}
