using System.Globalization;
using Spectre.Console;

namespace HsmRaft.Samples.KeyValueStore.Demo;

/// <summary>The closing summary: each step's outcome and time, the workload's totals, and the verdict of the final check.</summary>
internal static class DemoSummary
{
    public static void Print(DemoState state, bool passed, bool live)
    {
        var total = state.Clock.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture);
        var workload = state.Workload?.Latencies.Summarize() is { Count: > 0 } all
            ? $"{all.Count:N0} acknowledged writes by {state.Writers} writers; latency over the whole run p50 {all.P50:0.0} ms, p99 {all.P99:0.0} ms, max {all.Max:0} ms"
            : "no writes acknowledged";
        var verdict = state.Verification switch
        {
            { Passed: true } v => $"PASSED: all {v.AcknowledgedWrites:N0} acknowledged writes are on every node ({string.Join(", ", v.KeysPerNode.Select(p => $"node {p.Key}: {p.Value:N0} keys"))}), and the nodes' states are identical",
            { } v => "FAILED: " + string.Join("; ", v.Problems),
            null => "FAILED: the demo stopped before the final check",
        };

        if (live)
        {
            var table = new Table().Border(TableBorder.Rounded).Title("[bold]Summary[/]").AddColumns("Step", "Result", "Time", "Details");
            foreach (var step in state.Steps)
            {
                table.AddRow($"{step.Number}. {Markup.Escape(step.Title)}", Result(step.Status, markup: true),
                    step.Status == StepStatus.Pending ? "" : $"{step.Elapsed.TotalSeconds:0.0} s", Markup.Escape(step.Detail));
            }

            AnsiConsole.Write(table);
            AnsiConsole.MarkupLine($"Workload: {Markup.Escape(workload)}");
            AnsiConsole.MarkupLine($"{(passed ? "[bold green]" : "[bold red]")}{Markup.Escape(verdict)}[/]");
            AnsiConsole.MarkupLine($"Total time: {total} s");
            return;
        }

        Console.WriteLine("Summary");
        foreach (var step in state.Steps)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {step.Number}. {Result(step.Status, markup: false),-7} {step.Elapsed.TotalSeconds,5:0.0} s  {step.Title}: {step.Detail}"));
        }

        Console.WriteLine($"  Workload: {workload}");
        Console.WriteLine($"  {verdict}");
        Console.WriteLine($"  Total time: {total} s");
    }

    private static string Result(StepStatus status, bool markup) => status switch
    {
        StepStatus.Done => markup ? "[green]done[/]" : "done",
        StepStatus.Failed => markup ? "[red]failed[/]" : "FAILED",
        StepStatus.Running => "stopped",
        _ => markup ? "[grey]skipped[/]" : "skipped",
    };
}
