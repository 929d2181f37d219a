using System.Globalization;

using GlmmGpu.Fitting;

namespace GlmmGpu.Prediction;

/// <summary>
/// Writes predictions as CSV: a header <c>row,fit</c>, then the 1-based row of the new data and its
/// prediction, to the last bit (round-trip format); a row without one gets <c>NA</c>, and infinities
/// are <c>Inf</c>, as R writes them.
/// </summary>
public static class PredictionCsv
{
    public static void Write(PredictionResult result, string path)
    {
        using var writer = new StreamWriter(path, append: false, new System.Text.UTF8Encoding(false), bufferSize: 1 << 16);
        Write(result, writer);
    }

    public static void Write(PredictionResult result, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(result);
        writer.Write("row,fit\n");
        var values = result.Values;
        for (int i = 0; i < values.Length; i++)
        {
            writer.Write((i + 1).ToString(CultureInfo.InvariantCulture));
            writer.Write(',');
            writer.Write(Format(values[i]));
            writer.Write('\n');
        }
        writer.Flush();
    }

    private static string Format(double v) =>
        double.IsNaN(v) ? "NA" : double.IsPositiveInfinity(v) ? "Inf" : double.IsNegativeInfinity(v) ? "-Inf" : v.ToString("R", CultureInfo.InvariantCulture);
}
