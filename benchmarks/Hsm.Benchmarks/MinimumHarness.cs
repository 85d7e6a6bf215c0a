using System.Diagnostics;
using System.Reflection;
using BenchmarkDotNet.Attributes;

namespace Hsm.Benchmarks;

/// <summary>
/// <c>--min</c>: times the same benchmark methods with a Stopwatch and reports, per case, the minimum over many timed
/// batches. On a shared machine the minimum is steadier than BenchmarkDotNet's mean (which includes time slices lost to
/// other processes); the three implementations of a case are timed in alternation, batch by batch, so load that comes
/// and goes hits them alike. It has no MemoryDiagnoser and no statistics: use the BenchmarkDotNet run for the record.
/// </summary>
internal static class MinimumHarness
{
    public static void Run(int batches, string? filter)
    {
        Console.WriteLine($"Minimum of {batches} timed batches per implementation; ns per operation ({RuntimeInfo()})");
        Console.WriteLine($"{"Case",-14} {"Switch",8} {"Hsm",8} {"Stateless",10} {"Hsm/switch",11} {"Stateless/Hsm",14}");
        foreach (var type in typeof(CaseBase).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(CaseBase)) && !t.IsAbstract).OrderBy(t => t.Name))
        {
            var name = type.GetCustomAttribute<BenchmarkCategoryAttribute>()?.Categories[0] ?? type.Name;
            if (filter is not null && !name.Contains(filter, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var instance = Activator.CreateInstance(type)!;
            type.GetMethods().Single(m => m.GetCustomAttribute<GlobalSetupAttribute>() is not null).Invoke(instance, null);
            var methods = new[] { "Switch", "Hsm", "Stateless" }
                .Select(n => (Action)Delegate.CreateDelegate(typeof(Action), instance, type.GetMethod(n)!))
                .ToArray();
            // Stateless is ~1000× slower: fewer calls per batch keep its batches about as long as the others'.
            var calls = new[] { 200, 200, 1 };
            var best = new double[3];
            Array.Fill(best, double.MaxValue);
            // Warm-up long enough for tiered compilation to reach the optimized code (the loops are OSR'd, then re-jitted).
            for (var warm = 0; warm < 10; warm++)
            {
                for (var k = 0; k < 3; k++)
                {
                    for (var c = 0; c < calls[k] * 50; c++) methods[k]();
                }
            }

            for (var b = 0; b < batches; b++)
            {
                for (var k = 0; k < 3; k++)
                {
                    var sw = Stopwatch.StartNew();
                    for (var c = 0; c < calls[k]; c++) methods[k]();
                    sw.Stop();
                    best[k] = Math.Min(best[k], sw.Elapsed.TotalNanoseconds / (calls[k] * (double)CaseBase.OperationsPerCall));
                }
            }

            Console.WriteLine($"{name,-14} {best[0],8:F2} {best[1],8:F2} {best[2],10:F1} {best[1] / best[0],10:F2}× {best[2] / best[1],13:F0}×");
        }
    }

    private static string RuntimeInfo() =>
        $".NET {Environment.Version}, {Environment.ProcessorCount} cores, load {LoadAverage()}";

    private static string LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (IOException)
        {
            return "?";
        }
    }
}
