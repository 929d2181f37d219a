using GlmmGpu.Kernels.Families;
using GlmmGpu.Kernels.Quadrature;
using GlmmGpu.Model;

namespace GlmmGpu.Engines;

/// <summary>
/// What every engine of the marginal likelihood reads: the frame's arrays (rows sorted by cluster, columns
/// contiguous), the cluster offsets, the quadrature grid, and the sum of the y-only log-density constants.
/// </summary>
internal sealed class MarginalLikelihoodData
{
    public required ModelFrame Frame { get; init; }
    public required RandomEffectsBlock Block { get; init; }
    public required QuadratureGrid Grid { get; init; }
    public required ParameterLayout Layout { get; init; }
    public required double Constant { get; init; }
    public int N => Frame.RowCount;
    public int P => Frame.P;
    public int Q => Block.Q;
    public int ClusterCount => Block.LevelCount;
    public int[] ClusterOffsets => Block.ClusterOffsets!;

    public static MarginalLikelihoodData Create(ModelFrame frame, int nodesPerDimension)
    {
        var block = SingleGroupingFactor.Block(frame);
        if (block.ClusterOffsets is null) throw new InvalidOperationException("the model frame has no cluster offsets");
        var layout = new ParameterLayout(frame.P, block.Q, block.Correlated, FamilyNames.HasDispersion(frame.Family));
        double constant = RowLikelihoodDispatch.Dispatch(frame.Family, frame.Link, new ConstantSum(frame.Response, frame.Weights));
        return new MarginalLikelihoodData
        {
            Frame = frame,
            Block = block,
            Grid = new QuadratureGrid(block.Q, nodesPerDimension),
            Layout = layout,
            Constant = constant,
        };
    }

    /// <summary>The same data with another quadrature rule (the constant and layout do not depend on it).</summary>
    public MarginalLikelihoodData WithNodes(int nodesPerDimension) => new()
    {
        Frame = Frame,
        Block = Block,
        Grid = new QuadratureGrid(Q, nodesPerDimension),
        Layout = Layout,
        Constant = Constant,
    };

    private sealed class ConstantSum(double[] y, double[] w) : IRowLikelihoodVisitor<double>
    {
        public double Visit<TModel>() where TModel : struct, IRowLikelihood
        {
            double s = 0;
            for (int i = 0; i < y.Length; i++) s += default(TModel).Constant(y[i], w[i]);
            return s;
        }
    }
}
