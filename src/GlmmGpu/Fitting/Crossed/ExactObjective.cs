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
        var differenced = DifferencedObjective.Of(criterion);
        return (x, gradient) =>
        {
            double f = criterion(x.ToArray());
            if (!double.IsFinite(f)) return double.PositiveInfinity;
            if (gradient.IsEmpty || gradientOfLast(gradient)) return f;
            return differenced(x, gradient);
        };
    }
}
