namespace GlmmGpu.Fitting.Bayes;

/// <summary>A value and its derivatives in up to three variables (forward-mode): the Cholesky factor of a 3 by 3
/// correlation matrix depends on three unconstrained values, so its derivatives come out exactly and cheaply.</summary>
internal readonly record struct Dual3(double Value, double D0, double D1, double D2)
{
    public static Dual3 Constant(double v) => new(v, 0, 0, 0);

    /// <summary>The variable with index <paramref name="k"/> (0, 1 or 2) at value <paramref name="v"/>.</summary>
    public static Dual3 Variable(double v, int k) => new(v, k == 0 ? 1 : 0, k == 1 ? 1 : 0, k == 2 ? 1 : 0);

    public double Derivative(int k) => k switch { 0 => D0, 1 => D1, _ => D2 };

    private Dual3 Chain(double value, double slope) => new(value, slope * D0, slope * D1, slope * D2);

    public static Dual3 operator +(Dual3 a, Dual3 b) => new(a.Value + b.Value, a.D0 + b.D0, a.D1 + b.D1, a.D2 + b.D2);
    public static Dual3 operator -(Dual3 a, Dual3 b) => new(a.Value - b.Value, a.D0 - b.D0, a.D1 - b.D1, a.D2 - b.D2);
    public static Dual3 operator *(Dual3 a, Dual3 b) =>
        new(a.Value * b.Value, a.D0 * b.Value + a.Value * b.D0, a.D1 * b.Value + a.Value * b.D1, a.D2 * b.Value + a.Value * b.D2);
    public static Dual3 operator *(double s, Dual3 a) => new(s * a.Value, s * a.D0, s * a.D1, s * a.D2);

    public Dual3 Tanh()
    {
        double t = Math.Tanh(Value);
        return Chain(t, 1 - t * t);
    }

    public Dual3 Sqrt()
    {
        double s = Math.Sqrt(Value);
        return Chain(s, 0.5 / s);
    }

    public Dual3 Log() => Chain(Math.Log(Value), 1 / Value);

    /// <summary>log(1 - x).</summary>
    public Dual3 Log1m() => Chain(Math.Log(1 - Value), -1 / (1 - Value));
}
