using GlmmGpu.Fitting.Optimization;

namespace GlmmGpu.Fitting.Crossed;

/// <summary>
/// A criterion without an exact gradient as BFGS's objective: the gradient by central differences, each step near
/// eps^(1/3) relative to the parameter (it balances the criterion's rounding, which grows with n, against the
/// truncation error), and a repeat of the last point answered from memory.
/// </summary>
internal static class DifferencedObjective
{
    public static Bfgs.Objective Of(Func<double[], double> criterion, Action? evaluated = null)
    {
        double[]? lastPoint = null;
        double[] lastGradient = [];
        double lastValue = 0;
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
                for (int k = 0; k < point.Length; k++)
                {
                    double h = 1e-5 * Math.Max(1.0, Math.Abs(point[k])), original = point[k];
                    point[k] = original + h;
                    double up = Value(point);
                    point[k] = original - h;
                    double down = Value(point);
                    point[k] = original;
                    gradient[k] = (up - down) / (2 * h);
                }
            lastPoint = point;
            lastGradient = gradient.ToArray();
            lastValue = f;
            return f;
        };
    }
}
