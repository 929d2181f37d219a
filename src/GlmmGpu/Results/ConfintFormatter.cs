using GlmmGpu.Fitting.Inference;

namespace GlmmGpu.Results;

/// <summary>Prints intervals as R prints <c>confint(m, oldNames = FALSE)</c>, under a line naming the method, with
/// the bootstrap's SDs as a third column and its notes after.</summary>
public static class ConfintFormatter
{
    public static void Write(ConfidenceIntervals ci, TextWriter writer)
    {
        var rows = ConfintRows.Of(ci);
        var (lowerLabel, upperLabel) = ConfintRows.Labels(ci.Level);
        writer.WriteLine();
        writer.WriteLine(ci.Method switch
        {
            IntervalMethod.Wald => "Wald confidence intervals:",
            IntervalMethod.Profile => "Profile confidence intervals:",
            _ => $"Parametric bootstrap percentile intervals ({ci.ReplicatesUsed} replicates):",
        });
        var lower = Column(rows.Select(r => r.Interval.Lower).ToArray());
        var upper = Column(rows.Select(r => r.Interval.Upper).ToArray());
        bool boot = ci.Method == IntervalMethod.Bootstrap;
        var sd = boot ? Column(rows.Select(r => r.BootstrapSd).ToArray()) : null;
        int nameWidth = rows.Max(r => r.Name.Length);
        int lowerWidth = Math.Max(lowerLabel.Length, lower.Max(s => s.Length));
        int upperWidth = Math.Max(upperLabel.Length, upper.Max(s => s.Length));
        int sdWidth = boot ? Math.Max("boot SD".Length, sd!.Max(s => s.Length)) : 0;
        writer.Write(new string(' ', nameWidth) + " " + lowerLabel.PadLeft(lowerWidth) + " " + upperLabel.PadLeft(upperWidth));
        writer.WriteLine(boot ? " " + "boot SD".PadLeft(sdWidth) : "");
        for (int i = 0; i < rows.Count; i++)
        {
            writer.Write(rows[i].Name.PadRight(nameWidth) + " " + lower[i].PadLeft(lowerWidth) + " " + upper[i].PadLeft(upperWidth));
            writer.WriteLine(boot ? " " + sd![i].PadLeft(sdWidth) : "");
        }
        foreach (var note in ci.Notes) writer.WriteLine(note);
    }

    /// <summary>A column as R formats it (7 significant digits in common), NA where not available.</summary>
    private static string[] Column(double[] values)
    {
        var finite = values.Where(double.IsFinite).ToArray();
        var formatted = finite.Length > 0 ? RFormat.Format(finite) : Array.Empty<string>();
        var cells = new string[values.Length];
        int k = 0;
        for (int i = 0; i < values.Length; i++)
            cells[i] = double.IsFinite(values[i]) ? formatted[k++] : double.IsNaN(values[i]) ? "NA" : values[i] > 0 ? "Inf" : "-Inf";
        return cells;
    }
}
