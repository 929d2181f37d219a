using GlmmGpu.Fitting.Optimization;

namespace GlmmGpu.Fitting.Crossed;

/// <summary>Writes the exact gradient of a criterion at the point it was last evaluated at; false where the closed form
/// does not apply there.</summary>
internal delegate bool TryGradient(Span<double> gradient);

/// <summary>
/// A criterion as BFGS's objective with the exact gradient of its last evaluation, differenced
/// (<see cref="DifferencedObjective"/>) where that does not apply (a term's factor near singular). A value that is not
/// finite is +Infinity, as the differenced objective gives it.
/// </summary>
internal static class ExactObjective
{
    public static Bfgs.Objective Of(Func<double[], double> criterion, TryGradient gradientOfLast)
    {
        // The point whose value is known when the differences are taken: it is not evaluated a second time.
        double[]? known = null;
        double knownValue = 0;
        var differenced = DifferencedObjective.Of(x => known is not null && x.AsSpan().SequenceEqual(known) ? knownValue : criterion(x));
        return (x, gradient) =>
        {
            var point = x.ToArray();
            double f = criterion(point);
            if (!double.IsFinite(f)) return double.PositiveInfinity;
            if (gradient.IsEmpty || gradientOfLast(gradient)) return f;
            (known, knownValue) = (point, f);
            try
            {
                return differenced(x, gradient);
            }
            finally
            {
                known = null;
            }
        };
    }
}
