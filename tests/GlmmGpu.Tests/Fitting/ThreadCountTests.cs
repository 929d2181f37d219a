using GlmmGpu.Engines;
using GlmmGpu.Fitting;
using GlmmGpu.Kernels.Families;
using GlmmGpu.Simulation;
using Xunit;

namespace GlmmGpu.Tests.Fitting;

/// <summary>
/// <c>--threads 1</c> keeps a fit on one thread: every parallel loop of a fit, model frame included, takes its
/// thread limit and scheduler from <see cref="ExecutionOptions.Parallel"/>, so with a scheduler that counts the work
/// queued to it, a fit given one thread queues none (each loop runs on the calling thread), while one given two
/// does (so the count can tell).
/// </summary>
public class ThreadCountTests
{
    public static IEnumerable<object[]> Fits()
    {
        // 20,000 groups: the sample start runs too.
        yield return new object[] { FamilyKind.Binomial, FitMethod.Laplace, 1 };
        yield return new object[] { FamilyKind.Binomial, FitMethod.Agq, 3 };
        yield return new object[] { FamilyKind.Poisson, FitMethod.Pql, 0 };
        yield return new object[] { FamilyKind.Gaussian, FitMethod.Reml, 0 };
    }

    [Theory]
    [MemberData(nameof(Fits))]
    public void OneThreadQueuesNoWork(FamilyKind family, FitMethod method, int nodes)
    {
        var (table, truth) = Simulator.Generate(new SimulationSpec(60_000, 20_000, family, Seed: 3));
        var spec = new ModelSpec(truth.Formula, family);
        FitResult Run(int threads, CountingScheduler scheduler) => Glmm.Fit(table, spec, new FitOptions
        {
            Method = method, NAgq = nodes, Execution = new ExecutionOptions { Device = DeviceChoice.Cpu, Threads = threads, Scheduler = scheduler },
        });

        var one = new CountingScheduler();
        var oneThread = Run(1, one);
        Assert.Equal(0, one.Queued);
        var two = new CountingScheduler();
        var twoThreads = Run(2, two);
        Assert.True(two.Queued > 1, $"{two.Queued} tasks queued with two threads");
        // And the thread count changes no result.
        Assert.Equal(oneThread.FixedEffects.Select(c => c.Estimate), twoThreads.FixedEffects.Select(c => c.Estimate));
        Assert.Equal(oneThread.LogLik, twoThreads.LogLik);
    }

    /// <summary>Runs tasks on the thread pool, counting those queued to it.</summary>
    private sealed class CountingScheduler : TaskScheduler
    {
        private int queued;
        public int Queued => Volatile.Read(ref queued);

        protected override void QueueTask(Task task)
        {
            Interlocked.Increment(ref queued);
            ThreadPool.UnsafeQueueUserWorkItem(_ => TryExecuteTask(task), null);
        }

        protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) => TryExecuteTask(task);
        protected override IEnumerable<Task> GetScheduledTasks() => [];
    }
}
