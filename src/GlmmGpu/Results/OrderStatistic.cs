using GlmmGpu.Fitting;

namespace GlmmGpu.Results;

/// <summary>
/// Selection (Hoare's quickselect, median-of-three pivots): puts the k-th smallest value at index k, smaller or
/// equal ones before it and larger or equal ones after it, in linear expected time. A range that keeps failing to
/// shrink is sorted instead, so the worst case stays n log n.
/// </summary>
internal static class OrderStatistic
{
    public static void Select(Span<double> values, int k)
    {
        if ((uint)k >= (uint)values.Length) throw new ArgumentOutOfRangeException(nameof(k));
        int left = 0, right = values.Length - 1;
        int budget = 2 * (int)Math.Log2(values.Length + 1) + 8;
        while (right - left > 16)
        {
            if (budget-- == 0)
            {
                values[left..(right + 1)].Sort();
                return;
            }
            int mid = left + (right - left) / 2;
            // Median of three into values[mid], then Hoare partition around it.
            if (values[mid] < values[left]) Swap(values, mid, left);
            if (values[right] < values[left]) Swap(values, right, left);
            if (values[right] < values[mid]) Swap(values, right, mid);
            double pivot = values[mid];
            int i = left, j = right;
            while (i <= j)
            {
                while (values[i] < pivot) i++;
                while (values[j] > pivot) j--;
                if (i <= j)
                {
                    Swap(values, i, j);
                    i++;
                    j--;
                }
            }
            // Now [left, j] <= pivot <= [i, right], and any index between j and i holds the pivot's value.
            if (k <= j) right = j;
            else if (k >= i) left = i;
            else return;
        }
        values[left..(right + 1)].Sort();
    }

    private static void Swap(Span<double> values, int a, int b) => (values[a], values[b]) = (values[b], values[a]);
}
