using System.Runtime.CompilerServices;

namespace GlmmGpu.Kernels.Numerics;

/// <summary>
/// A vector of at most three doubles held in fields, so per-cluster math for q &lt;= 3 random effects needs no
/// array (ILGPU kernels cannot allocate) and no System.Numerics type (ILGPU rejects them on .NET 8+).
/// </summary>
public struct Vec3
{
    public double X0, X1, X2;

    public double this[int i]
    {
        readonly get => i == 0 ? X0 : (i == 1 ? X1 : X2);
        set
        {
            if (i == 0) X0 = value;
            else if (i == 1) X1 = value;
            else X2 = value;
        }
    }
}

/// <summary>A 3-by-3 matrix in fields, row-major; only the leading q-by-q block is used.</summary>
public struct Mat3
{
    public double A00, A01, A02, A10, A11, A12, A20, A21, A22;

    public double this[int i, int j]
    {
        // A jump table on the flat index: nested conditionals cost more than the arithmetic they guard.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        readonly get
        {
            switch (i * 3 + j)
            {
                case 0: return A00;
                case 1: return A01;
                case 2: return A02;
                case 3: return A10;
                case 4: return A11;
                case 5: return A12;
                case 6: return A20;
                case 7: return A21;
                default: return A22;
            }
        }
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        set
        {
            switch (i * 3 + j)
            {
                case 0: A00 = value; break;
                case 1: A01 = value; break;
                case 2: A02 = value; break;
                case 3: A10 = value; break;
                case 4: A11 = value; break;
                case 5: A12 = value; break;
                case 6: A20 = value; break;
                case 7: A21 = value; break;
                default: A22 = value; break;
            }
        }
    }

    public static Mat3 Identity(int q)
    {
        var m = default(Mat3);
        for (int i = 0; i < q; i++) m[i, i] = 1.0;
        return m;
    }
}

/// <summary>
/// Small dense linear algebra on the leading q-by-q block (q &lt;= 3), allocation-free. Each routine has a scalar
/// path for q = 1 (a random intercept, the common case), where the general loops cost more than the arithmetic.
/// </summary>
public static class SmallLinearAlgebra
{
    /// <summary>Lower Cholesky factor of a symmetric matrix; false if it is not positive definite.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Cholesky(in Mat3 a, int q, out Mat3 l)
    {
        if (q == 1)
        {
            l = default;
            if (!(a.A00 > 0)) return false;
            l.A00 = Math.Sqrt(a.A00);
            return true;
        }
        l = default;
        for (int j = 0; j < q; j++)
        {
            double d = a[j, j];
            for (int k = 0; k < j; k++) d -= l[j, k] * l[j, k];
            if (!(d > 0)) return false;
            double ljj = Math.Sqrt(d);
            l[j, j] = ljj;
            for (int i = j + 1; i < q; i++)
            {
                double s = a[i, j];
                for (int k = 0; k < j; k++) s -= l[i, k] * l[j, k];
                l[i, j] = s / ljj;
            }
        }
        return true;
    }

    /// <summary>Solves L x = b for lower-triangular L.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec3 SolveLower(in Mat3 l, int q, in Vec3 b)
    {
        if (q == 1) return new Vec3 { X0 = b.X0 / l.A00 };
        var x = default(Vec3);
        for (int i = 0; i < q; i++)
        {
            double s = b[i];
            for (int k = 0; k < i; k++) s -= l[i, k] * x[k];
            x[i] = s / l[i, i];
        }
        return x;
    }

    /// <summary>Solves L' x = b for lower-triangular L.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec3 SolveLowerTransposed(in Mat3 l, int q, in Vec3 b)
    {
        if (q == 1) return new Vec3 { X0 = b.X0 / l.A00 };
        var x = default(Vec3);
        for (int i = q - 1; i >= 0; i--)
        {
            double s = b[i];
            for (int k = i + 1; k < q; k++) s -= l[k, i] * x[k];
            x[i] = s / l[i, i];
        }
        return x;
    }

    /// <summary>Solves (L L') x = b.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec3 SolveCholesky(in Mat3 l, int q, in Vec3 b) =>
        q == 1 ? new Vec3 { X0 = b.X0 / (l.A00 * l.A00) } : SolveLowerTransposed(l, q, SolveLower(l, q, b));

    /// <summary>Inverse of L L' (symmetric), column by column.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Mat3 InverseFromCholesky(in Mat3 l, int q)
    {
        if (q == 1) return new Mat3 { A00 = 1.0 / (l.A00 * l.A00) };
        var inv = default(Mat3);
        for (int j = 0; j < q; j++)
        {
            var e = default(Vec3);
            e[j] = 1.0;
            var col = SolveCholesky(l, q, e);
            for (int i = 0; i < q; i++) inv[i, j] = col[i];
        }
        return inv;
    }

    /// <summary>Inverse of a lower-triangular matrix (lower-triangular).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Mat3 InverseLower(in Mat3 l, int q)
    {
        if (q == 1) return new Mat3 { A00 = 1.0 / l.A00 };
        var inv = default(Mat3);
        for (int j = 0; j < q; j++)
        {
            var e = default(Vec3);
            e[j] = 1.0;
            var col = SolveLower(l, q, e);
            for (int i = 0; i < q; i++) inv[i, j] = col[i];
        }
        return inv;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Mat3 Multiply(in Mat3 a, in Mat3 b, int q)
    {
        if (q == 1) return new Mat3 { A00 = a.A00 * b.A00 };
        var c = default(Mat3);
        for (int i = 0; i < q; i++)
            for (int j = 0; j < q; j++)
            {
                double s = 0;
                for (int k = 0; k < q; k++) s += a[i, k] * b[k, j];
                c[i, j] = s;
            }
        return c;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Mat3 Transpose(in Mat3 a, int q)
    {
        if (q == 1) return new Mat3 { A00 = a.A00 };
        var t = default(Mat3);
        for (int i = 0; i < q; i++)
            for (int j = 0; j < q; j++) t[i, j] = a[j, i];
        return t;
    }

    /// <summary>A' x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec3 MultiplyTransposed(in Mat3 a, int q, in Vec3 x)
    {
        if (q == 1) return new Vec3 { X0 = a.A00 * x.X0 };
        var y = default(Vec3);
        for (int i = 0; i < q; i++)
        {
            double s = 0;
            for (int k = 0; k < q; k++) s += a[k, i] * x[k];
            y[i] = s;
        }
        return y;
    }

    /// <summary>A x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec3 Multiply(in Mat3 a, int q, in Vec3 x)
    {
        if (q == 1) return new Vec3 { X0 = a.A00 * x.X0 };
        var y = default(Vec3);
        for (int i = 0; i < q; i++)
        {
            double s = 0;
            for (int k = 0; k < q; k++) s += a[i, k] * x[k];
            y[i] = s;
        }
        return y;
    }

    /// <summary>Lambda' A Lambda.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Mat3 Congruence(in Mat3 lambda, in Mat3 a, int q) =>
        q == 1 ? new Mat3 { A00 = lambda.A00 * a.A00 * lambda.A00 } : Multiply(Multiply(Transpose(lambda, q), a, q), lambda, q);

    /// <summary>M + I.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Mat3 AddIdentity(Mat3 m, int q)
    {
        for (int i = 0; i < q; i++) m[i, i] += 1.0;
        return m;
    }

    /// <summary>Copies the lower triangle of a 3 x 3 matrix into its upper triangle.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Symmetrize(ref Mat3 a)
    {
        a.A01 = a.A10;
        a.A02 = a.A20;
        a.A12 = a.A21;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsFinite(double x) => !double.IsNaN(x) && !double.IsInfinity(x);

    /// <summary>Whether the leading entries of x and of A are all finite.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool AreFinite(in Vec3 x, in Mat3 a, int q)
    {
        for (int i = 0; i < q; i++)
        {
            if (!IsFinite(x[i])) return false;
            for (int m = 0; m < q; m++)
                if (!IsFinite(a[i, m])) return false;
        }
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Dot(in Vec3 x, in Vec3 y, int q)
    {
        if (q == 1) return x.X0 * y.X0;
        double s = 0;
        for (int i = 0; i < q; i++) s += x[i] * y[i];
        return s;
    }

    /// <summary>The largest |x_i|.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double MaxAbs(in Vec3 x, int q)
    {
        if (q == 1) return Math.Abs(x.X0);
        double m = 0;
        for (int i = 0; i < q; i++) m = Math.Max(m, Math.Abs(x[i]));
        return m;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec3 Subtract(in Vec3 x, in Vec3 y, int q)
    {
        if (q == 1) return new Vec3 { X0 = x.X0 - y.X0 };
        var r = default(Vec3);
        for (int i = 0; i < q; i++) r[i] = x[i] - y[i];
        return r;
    }

    /// <summary>x + s y.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec3 AddScaled(in Vec3 x, in Vec3 y, double s, int q)
    {
        if (q == 1) return new Vec3 { X0 = x.X0 + s * y.X0 };
        var r = default(Vec3);
        for (int i = 0; i < q; i++) r[i] = x[i] + s * y[i];
        return r;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec3 Scale(in Vec3 x, double s, int q)
    {
        if (q == 1) return new Vec3 { X0 = s * x.X0 };
        var r = default(Vec3);
        for (int i = 0; i < q; i++) r[i] = s * x[i];
        return r;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Mat3 Scale(in Mat3 x, double s, int q)
    {
        if (q == 1) return new Mat3 { A00 = s * x.A00 };
        var r = default(Mat3);
        for (int i = 0; i < q; i++)
            for (int m = 0; m < q; m++) r[i, m] = s * x[i, m];
        return r;
    }
}
