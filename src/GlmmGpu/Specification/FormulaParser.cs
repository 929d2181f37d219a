namespace GlmmGpu.Specification;

/// <summary>Reads lme4 formula syntax into a <see cref="ModelFormula"/>.</summary>
public static class FormulaParser
{
    public static ModelFormula Parse(string formula) => throw new NotImplementedException("parser: in progress");
}
