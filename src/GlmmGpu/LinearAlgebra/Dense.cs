namespace GlmmGpu.LinearAlgebra;

/// <summary>Small dense symmetric algebra for p-by-p systems (normal equations, Hessians).</summary>
public static class Dense
{
    /// <summary>Lower Cholesky factor; null if the matrix is not positive definite.</summary>
    public static double[,]? Cholesky(double[,] a)
    {
        int n = a.GetLength(0);
        var l = new double[n, n];
        for (int j = 0; j < n; j++)
        {
            double d = a[j, j];
            for (int k = 0; k < j; k++) d -= l[j, k] * l[j, k];
            if (!(d > 0) || !double.IsFinite(d)) return null;
            l[j, j] = Math.Sqrt(d);
            for (int i = j + 1; i < n; i++)
            {
                double s = a[i, j];
                for (int k = 0; k < j; k++) s -= l[i, k] * l[j, k];
                l[i, j] = s / l[j, j];
            }
        }
        return l;
    }

    public static double[] Solve(double[,] l, double[] b)
    {
        int n = b.Length;
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            double s = b[i];
            for (int k = 0; k < i; k++) s -= l[i, k] * y[k];
            y[i] = s / l[i, i];
        }
        var x = new double[n];
        for (int i = n - 1; i >= 0; i--)
        {
            double s = y[i];
            for (int k = i + 1; k < n; k++) s -= l[k, i] * x[k];
            x[i] = s / l[i, i];
        }
        return x;
    }

    /// <summary>Inverse of a symmetric positive-definite matrix; null if it is not positive definite.</summary>
    public static double[,]? InverseSpd(double[,] a)
    {
        var l = Cholesky(a);
        if (l is null) return null;
        int n = a.GetLength(0);
        var inv = new double[n, n];
        for (int j = 0; j < n; j++)
        {
            var e = new double[n];
            e[j] = 1;
            var col = Solve(l, e);
            for (int i = 0; i < n; i++) inv[i, j] = col[i];
        }
        return inv;
    }

    public static double[,] SubMatrix(double[,] a, IReadOnlyList<int> indices)
    {
        var m = new double[indices.Count, indices.Count];
        for (int i = 0; i < indices.Count; i++)
            for (int j = 0; j < indices.Count; j++) m[i, j] = a[indices[i], indices[j]];
        return m;
    }
}
