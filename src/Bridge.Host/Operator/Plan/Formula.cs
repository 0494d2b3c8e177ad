using System.Globalization;

namespace Bridge.Host.Operator.Plan;

/// <summary>One figure of a plan with the arithmetic that gave it, numbers filled in, so a reader can check it by hand.</summary>
/// <param name="Source">Where a constant in it comes from (a BENCHMARKS.md section, a service limit), or null.</param>
internal sealed record Formula(string Name, double Value, string Expression, string? Source = null)
{
    /// <summary>A number as the formulas print it: invariant, thousands separated, at most <paramref name="decimals"/> decimals.</summary>
    public static string Show(double value, int decimals = 2) =>
        value.ToString("#,0." + new string('#', decimals), CultureInfo.InvariantCulture) is { Length: > 0 } text ? text : "0";

    /// <summary>A unit price, all its digits, never in exponent form.</summary>
    public static string Price(double usd) => "$" + usd.ToString("0.##########", CultureInfo.InvariantCulture);

    public static string Money(double usd) => "$" + usd.ToString("#,0.00", CultureInfo.InvariantCulture);
}
