using HsmRaft.Benchmarks.Harness;
using HsmRaft.Benchmarks.Probes;
using HsmRaft.Benchmarks.Report;

// Issue 11: cluster throughput of HsmRaft against DotNext.Net.Cluster, measured in one run on one machine.
BenchmarkOptions options;
try
{
    options = BenchmarkOptions.Parse(args);
}
catch (OptionsException e)
{
    if (!e.IsHelpRequest) Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(BenchmarkOptions.Usage);
    return e.IsHelpRequest ? 0 : 2;
}

var runnable = options.Implementations.Where(static i => i.IsAvailable).ToArray();
foreach (var missing in options.Implementations.Where(static i => !i.IsAvailable))
    Console.WriteLine($"{missing.Name}: {missing.UnavailableReason}; it is left out of this run.");
if (runnable.Length == 0)
{
    Console.Error.WriteLine("None of the selected implementations is available in this build; choose one that is, e.g. --only dotnext.");
    return 2;
}

var docsPath = options.WriteDocs ? options.DocsPath ?? BenchmarksDocument.DefaultPath() : null;
var tempRoot = Path.Combine(Path.GetTempPath(), $"hsmraft-bench-{Environment.ProcessId}");
Directory.CreateDirectory(tempRoot);
try
{
    var machine = MachineInfo.Describe(Path.GetTempPath());
    var loadBefore = MachineInfo.LoadAverage();
    Console.WriteLine($"Machine: {machine}");
    Console.WriteLine($"Command: {options.Command}");
    Console.WriteLine($"Load average: {loadBefore}");

    var probes = new List<ProbeResult>();
    if (options.RunProbes)
    {
        Console.WriteLine("Probing physical limits (fdatasync, loopback TCP)...");
        probes.AddRange(FsyncProbe.Run(Path.Combine(tempRoot, "fsync-probe"), options.ProbeDuration));
        probes.AddRange(LoopbackProbe.Run(options.ProbeDuration));
        foreach (var probe in probes)
            Console.WriteLine($"  {probe.Name,-50} {Format.Count(probe.PerSecond),10} ops/s  p50 {Format.Ms(probe.P50Ms)} ms  p99 {Format.Ms(probe.P99Ms)} ms");
    }

    Console.WriteLine("Running clusters...");
    var runs = await BenchmarkPlan.RunAsync(options, runnable, tempRoot, Console.WriteLine);

    var report = new ThroughputReport(options, machine, DateTimeOffset.UtcNow, loadBefore, MachineInfo.LoadAverage(), probes, runs);
    var markdown = report.ToMarkdown();
    Console.WriteLine();
    Console.WriteLine(ThroughputReport.Heading);
    Console.WriteLine();
    Console.WriteLine(markdown);
    if (docsPath is not null)
    {
        BenchmarksDocument.WriteSection(docsPath, ThroughputReport.Heading, markdown);
        Console.WriteLine($"Updated {docsPath}");
    }
    return runs.All(static r => r.IsValid) ? 0 : 1;
}
finally
{
    Directory.Delete(tempRoot, recursive: true);
}
