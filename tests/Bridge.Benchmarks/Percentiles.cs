namespace Bridge.Benchmarks;

/// <summary>Nearest-rank percentiles.</summary>
internal static class Percentiles
{
    /// <param name="q">In [0, 1].</param>
    public static double Of(double[] values, double q)
    {
        if (values.Length == 0)
        {
            return double.NaN;
        }

        Array.Sort(values);
        return values[Math.Clamp((int)Math.Ceiling(q * values.Length) - 1, 0, values.Length - 1)];
    }
}
