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
        readonly get => i == 0 ? (j == 0 ? A00 : (j == 1 ? A01 : A02))
            : i == 1 ? (j == 0 ? A10 : (j == 1 ? A11 : A12))
            : (j == 0 ? A20 : (j == 1 ? A21 : A22));
        set
        {
            if (i == 0) { if (j == 0) A00 = value; else if (j == 1) A01 = value; else A02 = value; }
            else if (i == 1) { if (j == 0) A10 = value; else if (j == 1) A11 = value; else A12 = value; }
            else { if (j == 0) A20 = value; else if (j == 1) A21 = value; else A22 = value; }
        }
    }

    public static Mat3 Identity(int q)
    {
        var m = default(Mat3);
        for (int i = 0; i < q; i++) m[i, i] = 1.0;
        return m;
    }
}

/// <summary>Small dense linear algebra on the leading q-by-q block (q &lt;= 3), allocation-free.</summary>
public static class SmallLinearAlgebra
{
    /// <summary>Lower Cholesky factor of a symmetric matrix; false if it is not positive definite.</summary>
    public static bool Cholesky(in Mat3 a, int q, out Mat3 l)
    {
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
    public static Vec3 SolveLower(in Mat3 l, int q, in Vec3 b)
    {
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
    public static Vec3 SolveLowerTransposed(in Mat3 l, int q, in Vec3 b)
    {
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
    public static Vec3 SolveCholesky(in Mat3 l, int q, in Vec3 b) => SolveLowerTransposed(l, q, SolveLower(l, q, b));

    /// <summary>Inverse of L L' (symmetric), column by column.</summary>
    public static Mat3 InverseFromCholesky(in Mat3 l, int q)
    {
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
    public static Mat3 InverseLower(in Mat3 l, int q)
    {
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

    public static Mat3 Multiply(in Mat3 a, in Mat3 b, int q)
    {
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

    public static Mat3 Transpose(in Mat3 a, int q)
    {
        var t = default(Mat3);
        for (int i = 0; i < q; i++)
            for (int j = 0; j < q; j++) t[i, j] = a[j, i];
        return t;
    }

    /// <summary>A' x.</summary>
    public static Vec3 MultiplyTransposed(in Mat3 a, int q, in Vec3 x)
    {
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
    public static Vec3 Multiply(in Mat3 a, int q, in Vec3 x)
    {
        var y = default(Vec3);
        for (int i = 0; i < q; i++)
        {
            double s = 0;
            for (int k = 0; k < q; k++) s += a[i, k] * x[k];
            y[i] = s;
        }
        return y;
    }
}
