using System.Globalization;

namespace HsmRaft.Benchmarks.Report;

/// <summary>Number formats shared by the console and markdown output (invariant culture).</summary>
public static class Format
{
    public static string Count(double value) => double.IsNaN(value) ? "–" : value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>Milliseconds with about three significant digits.</summary>
    public static string Ms(double value) => double.IsNaN(value) ? "–" : value.ToString(value switch
    {
        < 1 => "0.000",
        < 10 => "0.00",
        < 100 => "0.0",
        _ => "0",
    }, CultureInfo.InvariantCulture);

    public static string Fixed(double value, int decimals) =>
        double.IsNaN(value) ? "–" : value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    public static string Ratio(double value) => double.IsNaN(value) || double.IsInfinity(value) ? "–" : Fixed(value, 2) + "×";
}
