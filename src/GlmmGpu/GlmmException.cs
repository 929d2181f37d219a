namespace GlmmGpu;

/// <summary>
/// Every error GlmmGpu raises for bad input or a failed fit: one clear sentence that names the column,
/// row, term or option at fault. The command line prints <see cref="Exception.Message"/> alone.
/// </summary>
public class GlmmException : Exception
{
    public GlmmException(string message) : base(message) { }
    public GlmmException(string message, Exception inner) : base(message, inner) { }
}
