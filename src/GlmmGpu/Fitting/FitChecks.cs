using GlmmGpu.Kernels.Numerics;
using GlmmGpu.Model;

namespace GlmmGpu.Fitting;

/// <summary>What every estimator checks and reports the same way: the model shapes it handles, what the model
/// frame dropped, and a variance at its boundary (lme4's isSingular).</summary>
internal static class FitChecks
{
    /// <summary>Below this |Lambda_dd| (relative to the residual SD where Lambda is in response units) a variance
    /// is at its boundary: lme4's isSingular tolerance.</summary>
    public const double SingularTolerance = 1e-4;
    public const string SingularMessage = "boundary (singular) fit: see help('isSingular')";
    /// <summary>How each reason a fit did not reach a trustworthy optimum begins (lme4's words), so that the first
    /// such message is the warning <c>glmm fit</c> prints.</summary>
    public const string NotConverged = "Model failed to converge: ";

    /// <summary>Notes on rows and columns the model frame dropped, as lme4 words them.</summary>
    public static List<string> FrameMessages(ModelFrame frame)
    {
        var messages = new List<string>();
        if (frame.DroppedRows > 0) messages.Add($"{frame.DroppedRows} rows with missing values were dropped");
        int dropped = frame.DroppedColumns.Length;
        if (dropped > 0)
            messages.Add($"fixed-effect model matrix is rank deficient so dropping {dropped} column{(dropped > 1 ? "s" : "")} / coefficient{(dropped > 1 ? "s" : "")}: {string.Join(", ", frame.DroppedColumns)}");
        return messages;
    }

    /// <summary>Whether any of Lambda's diagonal entries is at zero, measured in units of <paramref name="scale"/>.</summary>
    public static bool IsSingular(in Mat3 lambda, int q, double scale = 1.0)
    {
        for (int d = 0; d < q; d++)
            if (Math.Abs(lambda[d, d]) < SingularTolerance * scale) return true;
        return false;
    }
}
