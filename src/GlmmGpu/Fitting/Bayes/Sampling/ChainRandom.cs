namespace GlmmGpu.Fitting.Bayes.Sampling;

/// <summary>
/// Each chain's own random stream, xoshiro256** seeded by SplitMix64 from (seed, chain): the draws depend on the seed
/// and the chain's number alone, not on threads, the other chains or the .NET version (System.Random's algorithm
/// is not promised to stay).
/// </summary>
internal sealed class ChainRandom
{
    private ulong s0, s1, s2, s3;
    private double spareNormal = double.NaN;

    public ChainRandom(long seed, int chain)
    {
        ulong x = unchecked((ulong)seed * 0x9E3779B97F4A7C15UL ^ (ulong)(chain + 1) * 0xD1B54A32D192ED03UL);
        s0 = SplitMix(ref x);
        s1 = SplitMix(ref x);
        s2 = SplitMix(ref x);
        s3 = SplitMix(ref x);
    }

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(s1 * 5, 7) * 9;
        ulong t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = ulong.RotateLeft(s3, 45);
        return result;
    }

    /// <summary>Uniform on [0, 1), 53 bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Standard normal by the polar method (pairs, the second kept for the next call).</summary>
    public double Normal()
    {
        if (!double.IsNaN(spareNormal))
        {
            double s = spareNormal;
            spareNormal = double.NaN;
            return s;
        }
        while (true)
        {
            double u = 2 * NextDouble() - 1, v = 2 * NextDouble() - 1, r = u * u + v * v;
            if (r >= 1 || r == 0) continue;
            double f = Math.Sqrt(-2 * Math.Log(r) / r);
            spareNormal = v * f;
            return u * f;
        }
    }
}
