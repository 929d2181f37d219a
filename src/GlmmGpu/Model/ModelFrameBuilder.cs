using GlmmGpu.Data;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Specification;

namespace GlmmGpu.Model;

/// <summary>Turns data and a formula into a validated <see cref="ModelFrame"/>.</summary>
public static class ModelFrameBuilder
{
    public static ModelFrame Build(DataTable data, ModelFormula formula, FamilyKind family, LinkKind link, string? weightsColumn = null)
        => throw new NotImplementedException("model frame: in progress");
}
