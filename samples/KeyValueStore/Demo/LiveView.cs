using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace HsmRaft.Samples.KeyValueStore.Demo;

/// <summary>The terminal view: the steps with a progress bar, a live table of the nodes, the workload's numbers and the latest
/// events, redrawn four times a second while the script runs.</summary>
internal static class LiveView
{
    private const int BarWidth = 28;
    private const string Spinner = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏";

    public static async Task<T> RunAsync<T>(DemoState state, Func<Task<T>> script)
    {
        var result = default(T)!;
        await AnsiConsole.Live(Render(state)).AutoClear(false).Overflow(VerticalOverflow.Ellipsis).StartAsync(async context =>
        {
            var run = script();
            while (!run.IsCompleted)
            {
                context.UpdateTarget(Render(state));
                await Task.WhenAny(run, Task.Delay(250));
            }

            context.UpdateTarget(Render(state));
            result = await run;
        });
        return result;
    }

    private static IRenderable Render(DemoState state)
    {
        var header = new Markup(
            $"[bold]HsmRaft key-value demo[/]  [grey]{Format(state.Clock.Elapsed)} elapsed · node processes on loopback (gRPC) · data in {Markup.Escape(state.DataDirectory)}[/]");
        return new Rows(header, Steps(state), Nodes(state), Workload(state), Events(state));
    }

    private static Table Steps(DemoState state)
    {
        var table = new Table().Border(TableBorder.None).HideHeaders().AddColumns("", "", "", "");
        table.Columns[2].Width(BarWidth + 6);
        foreach (var step in state.Steps)
        {
            var (icon, title) = step.Status switch
            {
                StepStatus.Done => ("[green]✔[/]", $"{step.Number}. {Markup.Escape(step.Title)}"),
                StepStatus.Failed => ("[red]✘[/]", $"[red]{step.Number}. {Markup.Escape(step.Title)}[/]"),
                StepStatus.Running => ($"[yellow]{Spinner[(int)(state.Clock.ElapsedMilliseconds / 100 % Spinner.Length)]}[/]", $"[bold]{step.Number}. {Markup.Escape(step.Title)}[/]"),
                _ => ("[grey]·[/]", $"[grey]{step.Number}. {Markup.Escape(step.Title)}[/]"),
            };
            var progress = step.Progress is { } p
                ? $"[green]{new string('━', (int)(p * BarWidth))}[/][grey]{new string('━', BarWidth - (int)(p * BarWidth))}[/] {(int)(p * 100),3}%"
                : step.Status == StepStatus.Pending ? "" : $"[grey]{step.Elapsed.TotalSeconds:0.0} s[/]";
            table.AddRow(icon, title, progress, $"[grey]{Markup.Escape(step.Detail)}[/]");
        }

        return table;
    }

    private static Table Nodes(DemoState state)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]Nodes[/]")
            .AddColumns("Node", "Process", "Role", "Term", "Leader", "Commit", "Applied", "Snapshot", "Restores", "Membership", "Health");
        foreach (var c in table.Columns.Skip(3).Take(6))
        {
            c.RightAligned();
        }

        foreach (var row in state.Nodes)
        {
            var s = row.Status;
            var role = s is null ? "[grey]—[/]" : s.Role switch
            {
                "Leader" => "[bold green]Leader[/]",
                "Follower" => "Follower",
                _ => $"[yellow]{s.Role}[/]",
            };
            var process = row.Process switch
            {
                "running" => "[green]running[/]",
                "killed" => "[red]killed (SIGKILL)[/]",
                "stopped" => "[grey]stopped (SIGTERM)[/]",
                _ => $"[grey]{row.Process}[/]",
            };
            var health = row.Health switch
            {
                "Healthy" => "[green]Healthy[/]",
                "Degraded" => "[yellow]Degraded[/]",
                "down" => "[red]down[/]",
                _ => $"[red]{Markup.Escape(row.Health)}[/]",
            };
            table.AddRow(row.Id.ToString(CultureInfo.InvariantCulture), process, role, N(s?.Term), s is null || s.LeaderId == 0 ? "—" : N(s.LeaderId),
                N(s?.CommitIndex), N(s?.AppliedIndex), N(s?.SnapshotIndex), N(s?.SnapshotRestores), Markup.Escape(Membership(row)), health);
        }

        return table;
    }

    private static Markup Workload(DemoState state)
    {
        if (state.Workload is not { } w)
        {
            return new Markup("[grey]Workload: not started[/]");
        }

        var all = w.Latencies.Summarize();
        return new Markup(string.Create(CultureInfo.InvariantCulture,
            $"[bold]Workload[/] ({state.Writers} writers): [bold]{w.Acknowledged.Count:N0}[/] acknowledged writes · now {w.Latencies.RecentRate(TimeSpan.FromSeconds(1)):N0}/s · " +
            $"latency p50 {all.P50:0.0} ms · p99 {all.P99:0.0} ms · max {all.Max:0} ms"));
    }

    private static Panel Events(DemoState state)
    {
        var lines = state.RecentEvents(8).Select(e => $"[grey]{Format(e.At)}[/] {Markup.Escape(e.Message)}");
        return new Panel(new Markup(string.Join('\n', lines.DefaultIfEmpty("[grey]…[/]")))).Header("Events").Border(BoxBorder.Rounded).Expand();
    }

    /// <summary>The node's own role in the configuration it reports: voter, learner, outgoing (old half of a joint configuration
    /// only), or not a member.</summary>
    internal static string Membership(NodeRow row)
    {
        if (row.Status is not { } s)
        {
            return "—";
        }

        var self = s.Members.FirstOrDefault(m => m.Id == row.Id);
        var role = self?.Role ?? "not a member";
        return s.Joint ? role + " (joint)" : role;
    }

    internal static string N(long? value) => value?.ToString("N0", CultureInfo.InvariantCulture) ?? "—";

    internal static string N(ulong value) => value.ToString(CultureInfo.InvariantCulture);

    internal static string Format(TimeSpan t) => t.ToString(@"mm\:ss\.f", CultureInfo.InvariantCulture);
}
