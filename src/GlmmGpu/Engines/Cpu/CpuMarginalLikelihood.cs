using System.Numerics.Tensors;
using GlmmGpu.Kernels.Clusters;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Kernels.Numerics;
using GlmmGpu.LinearAlgebra;

namespace GlmmGpu.Engines.Cpu;

/// <summary>
/// The CPU path: X beta (TensorPrimitives) and X' alpha (ReproducibleDot) with SIMD, the per-cluster integrals on all cores.
/// Sums are formed in fixed blocks and then in block order, so results are bitwise identical whatever the
/// number of threads. Several parameter vectors are evaluated in one pass: each block of rows or clusters is taken
/// for every vector while it is in cache.
/// </summary>
internal sealed class CpuMarginalLikelihood<TModel> : IMarginalLikelihoodEngine, IRuleCurvature where TModel : struct, IRowLikelihood
{
    /// <summary>The most parameter vectors one pass evaluates; more are taken in passes of this many.</summary>
    public const int MaxVectorsPerPass = 32;
    /// <summary>From this many vectors, <see cref="EvaluateMany"/> makes the pass's arrays and evaluates them together.</summary>
    public const int OnePassFrom = 8;
    /// <summary>Up to this many rows times vectors, several vectors are evaluated side by side, one per thread, each on
    /// arrays of its own: a vector's rows then need no parallel loop of their own (no set-up, no uneven last block).</summary>
    public const long ConcurrentRowVectors = 2_000_000;
    /// <summary>Below this many rows a vector's evaluation runs on one thread: a few microseconds of arithmetic, which
    /// a parallel loop's set-up would double.</summary>
    public const int SingleThreadRows = 10_000;
    private const int ClusterBlock = 2048;
    private const int RowBlock = 1 << 16;
    private static readonly double[] Ones = Enumerable.Repeat(1.0, RowBlock).ToArray();
    private MarginalLikelihoodData data;
    /// <summary>The single evaluation's vector (its modes are the fit's warm starts, its outputs <see cref="Clusters"/>).</summary>
    private readonly VectorState main;
    /// <summary>The vectors of <see cref="EvaluateMany"/>, made when first asked for.</summary>
    private VectorState[] many = [];
    private readonly bool keepsExpEta;
    private readonly ParallelOptions parallel;
    /// <summary>The loops of one vector's evaluation: <see cref="parallel"/>, or one thread on a small data set.</summary>
    private readonly ParallelOptions vectorLoops;
    private static readonly ParallelOptions OneThread = new() { MaxDegreeOfParallelism = 1 };
    private double[] lastPsi = [];
    private Vec3[]? savedModes;
    /// <summary>Each stream's modes after its last point (<see cref="EvaluateStreams"/>).</summary>
    private readonly Dictionary<int, Vec3[]> streamModes = new();

    public CpuMarginalLikelihood(MarginalLikelihoodData data, ParallelOptions parallel)
    {
        this.data = data;
        keepsExpEta = data.Layout.Q == 1 && default(TModel).TakesExpEta && data.Block.Z.AsSpan(0, data.N).IndexOfAnyExcept(1.0) < 0;
        main = new VectorState(data, keepsExpEta, BlockCount, keepsOutputs: true);
        this.parallel = parallel;
        vectorLoops = data.N < SingleThreadRows ? OneThread : parallel;
    }

    public ParameterLayout Layout => data.Layout;
    public string Device => "cpu";
    public ClusterOutput[] Clusters => main.Clusters!;
    private int BlockCount => (data.ClusterCount + ClusterBlock - 1) / ClusterBlock;

    public void UseNodes(int nodesPerDimension) => data = data.WithNodes(nodesPerDimension);

    public double Evaluate(ReadOnlySpan<double> psi, Span<double> gradient)
    {
        lastPsi = psi.ToArray();
        Span<double> logLik = stackalloc double[1];
        Run(lastPsi, [main], logLik, gradient, vectorLoops);
        return logLik[0];
    }

    public void EvaluateMany(ReadOnlySpan<double> psis, Span<double> logLiks, Span<double> gradients) =>
        EvaluateStreams(psis, ReadOnlySpan<int>.Empty, logLiks, gradients);

    public void EvaluateStreams(ReadOnlySpan<double> psis, ReadOnlySpan<int> streams, Span<double> logLiks, Span<double> gradients)
    {
        int count = data.Layout.Count, vectors = logLiks.Length;
        if (psis.Length != vectors * count) throw new ArgumentException($"{psis.Length} values for {vectors} vectors of {count}");
        if (!streams.IsEmpty && streams.Length != vectors) throw new ArgumentException($"{streams.Length} stream ids for {vectors} vectors");
        if (vectors > 1 && parallel.MaxDegreeOfParallelism > 1 && (long)data.N * vectors <= ConcurrentRowVectors)
        {
            SideBySide(psis, streams, logLiks, gradients);
            return;
        }
        if (many.Length < vectors && vectors < OnePassFrom)
        {
            OneAfterAnother(psis, streams, logLiks, gradients);
            return;
        }
        for (int first = 0; first < vectors; first += MaxVectorsPerPass)
        {
            int k = Math.Min(MaxVectorsPerPass, vectors - first);
            EnsureVectorStates(k);
            for (int v = 0; v < k; v++) StartModes(streams, first + v, main.Modes).CopyTo(many[v].Modes, 0);
            Run(psis.Slice(first * count, k * count).ToArray(), many[..k], logLiks.Slice(first, k),
                gradients.IsEmpty ? gradients : gradients.Slice(first * count, k * count), parallel);
            for (int v = 0; v < k; v++) KeepModes(streams, first + v, many[v].Modes);
        }
    }

    /// <summary>Makes the first <paramref name="count"/> vector states. Those that <see cref="SideBySide"/> can run at
    /// once get scratch of their own; the rest are only used in one pass, which takes its vectors in turn within a
    /// block, so they share the single evaluation's (three arrays of the rows' length fewer per vector).</summary>
    private void EnsureVectorStates(int count)
    {
        if (many.Length >= count) return;
        many = many.Concat(Enumerable.Range(many.Length, count - many.Length).Select(v =>
            new VectorState(data, keepsExpEta, BlockCount, keepsOutputs: false,
                (long)data.N * (v + 1) <= ConcurrentRowVectors ? null : main.Scratch))).ToArray();
    }

    /// <summary>
    /// The vectors side by side, each on one thread and arrays of its own (<see cref="ConcurrentRowVectors"/>), from its
    /// stream's modes: each vector's sums are formed as a single evaluation forms them, so its results are that
    /// evaluation's bit for bit, whatever the threads.
    /// </summary>
    private void SideBySide(ReadOnlySpan<double> psis, ReadOnlySpan<int> streams, Span<double> logLiks, Span<double> gradients)
    {
        int count = data.Layout.Count, vectors = logLiks.Length;
        EnsureVectorStates(vectors);
        for (int v = 0; v < vectors; v++) StartModes(streams, v, main.Modes).CopyTo(many[v].Modes, 0);
        var points = psis.ToArray();
        var values = new double[vectors];
        bool wantGradient = !gradients.IsEmpty;
        var grads = new double[wantGradient ? vectors * count : 0];
        Parallel.For(0, vectors, parallel, v =>
            Run(points.AsSpan(v * count, count).ToArray(), [many[v]], values.AsSpan(v, 1),
                wantGradient ? grads.AsSpan(v * count, count) : Span<double>.Empty, OneThread, keepOutputs: false));
        values.CopyTo(logLiks);
        if (wantGradient) grads.CopyTo(gradients);
        for (int v = 0; v < vectors; v++) KeepModes(streams, v, many[v].Modes);
    }

    /// <summary>Where vector k's Newton solves start: its stream's last modes, else <paramref name="latest"/> (the latest
    /// single evaluation's).</summary>
    private Vec3[] StartModes(ReadOnlySpan<int> streams, int k, Vec3[] latest) =>
        !streams.IsEmpty && streamModes.TryGetValue(streams[k], out var modes) ? modes : latest;

    private void KeepModes(ReadOnlySpan<int> streams, int k, Vec3[] modes)
    {
        if (streams.IsEmpty) return;
        if (!streamModes.TryGetValue(streams[k], out var kept)) streamModes[streams[k]] = kept = new Vec3[modes.Length];
        modes.CopyTo(kept, 0);
    }

    /// <summary>
    /// Fewer vectors than <see cref="OnePassFrom"/>, before a pass has made its arrays: evaluated one after another on
    /// the single evaluation's own arrays, each from its modes, which are then put back (its outputs are not touched). The CPU
    /// path is bound by arithmetic, not by reading the rows, and the pass's arrays (three of the rows' length per
    /// vector) cost more to make for a few vectors once than the pass saves (benchmarks/RESULTS.md).
    /// </summary>
    private void OneAfterAnother(ReadOnlySpan<double> psis, ReadOnlySpan<int> streams, Span<double> logLiks, Span<double> gradients)
    {
        int count = data.Layout.Count;
        savedModes ??= new Vec3[main.Modes.Length];
        main.Modes.CopyTo(savedModes, 0);
        var point = new double[count];
        for (int v = 0; v < logLiks.Length; v++)
        {
            StartModes(streams, v, savedModes).CopyTo(main.Modes, 0);
            psis.Slice(v * count, count).CopyTo(point);
            Run(point, [main], logLiks.Slice(v, 1), gradients.IsEmpty ? gradients : gradients.Slice(v * count, count), vectorLoops, keepOutputs: false);
            KeepModes(streams, v, main.Modes);
        }
        savedModes.CopyTo(main.Modes, 0);
        // Eta and alpha now belong to the last vector, not to the latest single evaluation's point.
        lastPsi = [];
    }

    /// <summary>One pass over the rows for the vectors in <paramref name="psis"/> (one per state); the clusters'
    /// outputs go to the states that keep them unless <paramref name="keepOutputs"/> is false; the loops over blocks run
    /// on <paramref name="loops"/>.</summary>
    private void Run(double[] psis, VectorState[] states, Span<double> logLiks, Span<double> gradients, ParallelOptions loops, bool keepOutputs = true)
    {
        var layout = data.Layout;
        int count = layout.Count, vectors = states.Length;
        bool wantGradient = !gradients.IsEmpty;
        var betas = new double[vectors][];
        var parameters = new IntegrandParameters[vectors];
        for (int v = 0; v < vectors; v++)
        {
            var psi = psis.AsSpan(v * count, count);
            betas[v] = psi[..layout.P].ToArray();
            parameters[v] = layout.Integrand(psi, wantGradient);
        }
        FixedPredictor(betas, states, loops);
        var rows = states.Select(Rows).ToArray();
        BlockLoop.For(BlockCount, loops, blk =>
        {
            int first = blk * ClusterBlock, last = Math.Min(first + ClusterBlock, data.ClusterCount);
            Span<double> ll = stackalloc double[vectors], phi = stackalloc double[vectors];
            var gl = new Mat3[vectors];
            // Every vector over the block's clusters before the next block: the block's rows stay in cache between them.
            for (int v = 0; v < vectors; v++)
            {
                // The many vectors' outputs are not kept: only the single evaluation's are the engine's Clusters.
                var kept = keepOutputs ? states[v].Clusters : null;
                switch (layout.Q)
                {
                    case 1: IntegrateBlock<OneEffect>(ref rows[v], parameters[v], states[v].Modes, kept, first, last, ref ll[v], ref phi[v], ref gl[v]); break;
                    case 2: IntegrateBlock<TwoEffects>(ref rows[v], parameters[v], states[v].Modes, kept, first, last, ref ll[v], ref phi[v], ref gl[v]); break;
                    default: IntegrateBlock<ThreeEffects>(ref rows[v], parameters[v], states[v].Modes, kept, first, last, ref ll[v], ref phi[v], ref gl[v]); break;
                }
            }
            for (int v = 0; v < vectors; v++)
            {
                states[v].BlockLogLik[blk] = ll[v];
                states[v].BlockPhi[blk] = phi[v];
                states[v].BlockLambda[blk] = gl[v];
            }
        });
        var needsXtAlpha = new bool[vectors];
        for (int v = 0; v < vectors; v++)
        {
            var state = states[v];
            double logLik = data.Constant, phiGrad = 0;
            var lambdaGrad = default(Mat3);
            for (int blk = 0; blk < state.BlockLogLik.Length; blk++)
            {
                logLik += state.BlockLogLik[blk];
                phiGrad += state.BlockPhi[blk];
                for (int i = 0; i < layout.Q; i++)
                    for (int m = 0; m <= i; m++) lambdaGrad[i, m] += state.BlockLambda[blk][i, m];
            }
            if (double.IsNaN(logLik)) logLik = double.NegativeInfinity;
            logLiks[v] = logLik;
            if (!wantGradient || double.IsNegativeInfinity(logLik)) continue;
            var gradient = gradients.Slice(v * count, count);
            layout.ScatterLambdaGradient(lambdaGrad, gradient);
            if (layout.HasDispersion) gradient[layout.DispersionIndex] = phiGrad;
            needsXtAlpha[v] = true;
        }
        if (!wantGradient) return;
        var alphas = states.Select(s => s.Alpha).ToArray();
        var xtAlpha = new double[vectors * layout.P];
        XtAlpha(data.Frame.X, data.N, layout.P, alphas, loops, xtAlpha);
        for (int v = 0; v < vectors; v++)
            if (needsXtAlpha[v]) xtAlpha.AsSpan(v * layout.P, layout.P).CopyTo(gradients.Slice(v * count, layout.P));
    }

    /// <summary>Clusters [first, last) of one vector, each from its mode of the last evaluation, which it replaces; the
    /// block's sums of their log-likelihoods and gradients added to <paramref name="logLik"/> and the others.</summary>
    private void IntegrateBlock<TEffects>(ref CpuRows rows, in IntegrandParameters parameters, Vec3[] modes, ClusterOutput[]? kept, int first, int last,
        ref double logLik, ref double phiGradient, ref Mat3 lambdaGradient)
        where TEffects : struct, IEffectCount
    {
        var offsets = data.ClusterOffsets;
        int q = default(TEffects).Q;
        for (int g = first; g < last; g++)
        {
            ClusterIntegrator.Integrate<TModel, CpuRows, TEffects>(ref rows, offsets[g], offsets[g + 1], parameters, modes[g], out var o);
            if (kept is not null) kept[g] = o;
            if (o.Status is ClusterStatus.Ok or ClusterStatus.NoConvergence) modes[g] = o.Mode;
            logLik += o.LogLik;
            phiGradient += o.DispersionGradient;
            for (int i = 0; i < q; i++)
                for (int m = 0; m <= i; m++) lambdaGradient[i, m] += o.LambdaGradient[i, m];
        }
    }

    /// <summary>eta = offset + X beta for each vector, column by column with SIMD, in parallel row blocks.</summary>
    private void FixedPredictor(double[][] betas, VectorState[] states, ParallelOptions loops)
    {
        var frame = data.Frame;
        int n = data.N, p = data.P;
        int blocks = (n + RowBlock - 1) / RowBlock;
        BlockLoop.For(blocks, loops, blk =>
        {
            int start = blk * RowBlock, len = Math.Min(RowBlock, n - start);
            for (int v = 0; v < states.Length; v++)
            {
                var eta = states[v].Eta;
                var target = eta.AsSpan(start, len);
                frame.Offset.AsSpan(start, len).CopyTo(target);
                for (int k = 0; k < p; k++)
                    TensorPrimitives.MultiplyAdd(frame.X.AsSpan(k * n + start, len), betas[v][k], target, target);
                if (states[v].ExpEta is not { } expEta) continue;
                for (int i = start; i < start + len; i++) expEta[i] = PortableMath.Exp(eta[i]);
            }
        });
    }

    /// <summary>Where <see cref="QuadratureInformation.Applies"/>, from the last evaluation, when it was at psi.</summary>
    public bool TryRuleHessian(ReadOnlySpan<double> psi, double[,] hessian) =>
        QuadratureInformation.Applies(data) &&
        RuleHessian(psi, Math.Max(QuadratureInformation.RuleNodes, data.Grid.NodesPerDimension), hessian);

    public bool RuleHessian(ReadOnlySpan<double> psi, int nodes, double[,] hessian)
    {
        return psi.SequenceEqual(lastPsi) && QuadratureInformation.Hessian<TModel>(data, psi, Rows(main), Clusters, nodes, parallel, hessian);
    }

    /// <summary>The integrand's view of a vector's arrays (eta and e^eta as its last evaluation left them).</summary>
    private CpuRows Rows(VectorState state)
    {
        var frame = data.Frame;
        return new CpuRows(state.Eta, state.ExpEta, frame.Response, frame.Weights, data.Block.Z, data.Layout.Q, state.Alpha, state.Scratch, data.Grid.Z, data.Grid.LogWeight);
    }

    /// <summary>X' alpha for each of <paramref name="alphas"/> (X column-major, n rows, p columns) into
    /// <paramref name="gradients"/> (p per alpha): block partial dot products in parallel, then summed in block order,
    /// so the result does not depend on the thread count; each block's dot by <see cref="ReproducibleDot"/> (times
    /// ones, which is exact), whose rounding, unlike TensorPrimitives.Dot's, does not depend on where the arrays lie
    /// in memory. A block of X is read for every alpha while it is in cache.</summary>
    internal static void XtAlpha(double[] x, int n, int p, double[][] alphas, ParallelOptions parallel, Span<double> gradients)
    {
        int blocks = (n + RowBlock - 1) / RowBlock, vectors = alphas.Length;
        var partial = new double[blocks * p * vectors];
        BlockLoop.For(blocks, parallel, blk =>
        {
            int start = blk * RowBlock, len = Math.Min(RowBlock, n - start);
            for (int v = 0; v < vectors; v++)
            {
                var a = alphas[v].AsSpan(start, len);
                for (int k = 0; k < p; k++)
                    partial[(v * blocks + blk) * p + k] = ReproducibleDot.Dot(x.AsSpan(k * n + start, len), a, Ones.AsSpan(0, len));
            }
        });
        for (int v = 0; v < vectors; v++)
            for (int k = 0; k < p; k++)
            {
                double s = 0;
                for (int blk = 0; blk < blocks; blk++) s += partial[(v * blocks + blk) * p + k];
                gradients[v * p + k] = s;
            }
    }

    /// <summary>X' alpha for one alpha.</summary>
    internal static void XtAlpha(double[] x, int n, int p, double[] alpha, ParallelOptions parallel, Span<double> gradient) =>
        XtAlpha(x, n, p, [alpha], parallel, gradient);

    public void Dispose() { }

    /// <summary>What one parameter vector's evaluation keeps: its eta (and e^eta), alpha, modes, cluster outputs and
    /// the blocks' partial sums.</summary>
    private sealed class VectorState
    {
        public VectorState(MarginalLikelihoodData data, bool keepsExpEta, int blocks, bool keepsOutputs, double[]? sharedScratch = null)
        {
            // Uninitialised: every entry is written before it is read (eta and e^eta by the predictor, alpha by the
            // integrals where the gradient is asked for and read only then).
            Eta = GC.AllocateUninitializedArray<double>(data.N);
            ExpEta = keepsExpEta ? GC.AllocateUninitializedArray<double>(data.N) : null;
            Alpha = GC.AllocateUninitializedArray<double>(data.N);
            Scratch = sharedScratch ?? new double[3 * data.N];
            Modes = new Vec3[data.ClusterCount];
            Clusters = keepsOutputs ? new ClusterOutput[data.ClusterCount] : null;
            BlockLogLik = new double[blocks];
            BlockPhi = new double[blocks];
            BlockLambda = new Mat3[blocks];
        }

        public double[] Eta { get; }
        /// <summary>e^(fixed eta) per row, for a random intercept of a model whose row work is e^eta: the passes then
        /// need one exp per cluster, not one per row and pass (ClusterIntegrator.Row). Null otherwise.</summary>
        public double[]? ExpEta { get; }
        public double[] Alpha { get; }
        /// <summary>Three values per row that the integrand's passes leave for the next (l', l'', l''').</summary>
        public double[] Scratch { get; }
        public Vec3[] Modes { get; }
        /// <summary>The clusters' outputs, kept for the single evaluation's vector alone.</summary>
        public ClusterOutput[]? Clusters { get; }
        public double[] BlockLogLik { get; }
        public double[] BlockPhi { get; }
        public Mat3[] BlockLambda { get; }
    }
}
