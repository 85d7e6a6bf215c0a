using System.Diagnostics;
using System.Globalization;
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
    /// <summary>Layouts the sweep measures (<see cref="Sweep"/>): 0 to 7 padding methods compiled first.</summary>
    public const int Layouts = 8;

    /// <param name="batches">Timed batches per implementation; the minimum is reported.</param>
    /// <param name="filter">Only the cases whose name contains this (null: all).</param>
    /// <param name="pad">How many padding methods to compile before anything else (0–7): each moves the code compiled after
    /// it, the benchmark loops included, to other addresses (<see cref="Sweep"/>).</param>
    /// <param name="raw">Print one machine-readable line per case (for <see cref="Sweep"/>) instead of the table.</param>
    public static void Run(int batches, string? filter, int pad = 0, bool raw = false)
    {
        PadCode(pad);
        if (!raw)
        {
            Console.WriteLine($"Minimum of {batches} timed batches per implementation; ns per operation ({RuntimeInfo()})");
            Console.WriteLine($"{"Case",-14} {"Switch",8} {"Hsm",8} {"Stateless",10} {"Hsm/switch",11} {"Stateless/Hsm",14}");
        }

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

            Console.WriteLine(raw
                ? FormattableString.Invariant($"RESULT\t{name}\t{best[0]}\t{best[1]}\t{best[2]}")
                : $"{name,-14} {best[0],8:F2} {best[1],8:F2} {best[2],10:F1} {best[1] / best[0],10:F2}× {best[2] / best[1],13:F0}×");
        }
    }

    /// <summary>
    /// <c>--sweep</c>: the harness in <see cref="Layouts"/> processes, each with its code at other addresses, and per case the
    /// median and range of the ratios. At a third of a nanosecond per event a loop's speed depends on where it lands: the JIT
    /// aligns a loop without calls (the switch's) but not one with a call, even a cold one (Hsm's, the slow path of
    /// <c>Dispatch</c>), and in one process every benchmark has one fixed address, so a single run, BenchmarkDotNet's
    /// included, reports one draw. The sweep reports the spread over eight.
    /// </summary>
    public static void Sweep(int batches, string? filter)
    {
        Console.WriteLine($"Minimum of {batches} timed batches per implementation, in {Layouts} processes with the code at other addresses ({RuntimeInfo()})");
        var results = new Dictionary<string, List<double[]>>();
        var order = new List<string>();
        for (var pad = 0; pad < Layouts; pad++)
        {
            var start = new ProcessStartInfo(Environment.ProcessPath!)
            {
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            foreach (var arg in new[] { typeof(MinimumHarness).Assembly.Location, "--min", batches.ToString(CultureInfo.InvariantCulture), filter ?? "", "--pad", pad.ToString(CultureInfo.InvariantCulture), "--raw" })
            {
                start.ArgumentList.Add(arg);
            }

            using var child = Process.Start(start)!;
            var output = child.StandardOutput.ReadToEnd();
            child.WaitForExit();
            if (child.ExitCode != 0)
            {
                throw new InvalidOperationException($"The harness process for layout {pad} exited with code {child.ExitCode}:\n{output}");
            }

            foreach (var line in output.Split('\n').Where(l => l.StartsWith("RESULT\t", StringComparison.Ordinal)))
            {
                var f = line.TrimEnd('\r').Split('\t');
                if (!results.TryGetValue(f[1], out var list))
                {
                    results[f[1]] = list = new List<double[]>();
                    order.Add(f[1]);
                }

                list.Add(f.Skip(2).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray());
            }

            Console.Error.WriteLine($"layout {pad + 1}/{Layouts} measured");
        }

        Console.WriteLine($"{"Case",-14} {"Switch ns",10} {"Hsm ns",8} {"Hsm/switch median",18} {"(min–max)",14} {"layouts ≤ 1.5×",15} {"Stateless/Hsm median",21}");
        foreach (var name in order)
        {
            var runs = results[name];
            var ratios = runs.Select(r => r[1] / r[0]).OrderBy(r => r).ToArray();
            var within = ratios.Count(r => r <= 1.5);
            Console.WriteLine($"{name,-14} {Median(runs.Select(r => r[0])),10:F2} {Median(runs.Select(r => r[1])),8:F2} {Median(ratios),17:F2}× {$"({ratios[0]:F2}–{ratios[^1]:F2})",14} {$"{within}/{ratios.Length}",15} {Median(runs.Select(r => r[2] / r[1])),20:F0}×");
        }

        Console.WriteLine();
        Console.WriteLine("By layout (switch ns / Hsm ns):");
        foreach (var name in order)
        {
            Console.WriteLine($"{name,-14} " + string.Join("  ", results[name].Select(r => $"{r[0]:F2}/{r[1]:F2}")));
        }
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>Compiles <paramref name="count"/> small methods (fully optimized at once, no tiering) so that everything
    /// compiled afterwards lands at other addresses. Each is a separate instantiation of one generic method over a struct.</summary>
    private static void PadCode(int count)
    {
        if (count is < 0 or >= Layouts)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, $"--pad takes 0 to {Layouts - 1}.");
        }

        Func<int, int>[] pads = [Pad<P0>, Pad<P1>, Pad<P2>, Pad<P3>, Pad<P4>, Pad<P5>, Pad<P6>];
        for (var i = 0; i < count; i++)
        {
            pads[i](i);
        }
    }

    private struct P0;
    private struct P1;
    private struct P2;
    private struct P3;
    private struct P4;
    private struct P5;
    private struct P6;

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining | System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static int Pad<T>(int n)
        where T : struct
    {
        var x = 0;
        for (var i = 0; i < n; i++)
        {
            x += i * n;
        }

        return x;
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
