using System.Globalization;
using System.Text;

namespace HsmRaft.Samples.KeyValueStore.Demo;

/// <summary>The view when standard output is not a terminal (CI logs, pipes): one line per event, and the node table as text each
/// time a step finishes.</summary>
internal static class PlainView
{
    public static async Task<T> RunAsync<T>(DemoState state, Func<Task<T>> script)
    {
        state.EventLogged += (at, message) => Console.WriteLine($"[{LiveView.Format(at)}] {message}");
        state.StepFinished += step =>
        {
            Console.WriteLine($"[{LiveView.Format(state.Clock.Elapsed)}] == step {step.Number} {(step.Status == StepStatus.Done ? "done" : "FAILED")} " +
                $"in {step.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s: {step.Title}. {step.Detail}");
            Console.Write(NodeTable(state.Nodes));
        };
        Console.WriteLine($"HsmRaft key-value demo: node processes on loopback (gRPC), data in {state.DataDirectory}");
        return await script();
    }

    public static string NodeTable(IReadOnlyList<NodeRow> rows)
    {
        var text = new StringBuilder();
        const string format = "    {0,-4} {1,-18} {2,-12} {3,5} {4,6} {5,8} {6,8} {7,8} {8,8}  {9,-18} {10}\n";
        text.AppendFormat(CultureInfo.InvariantCulture, format, "node", "process", "role", "term", "leader", "commit", "applied", "snapshot", "restores", "membership", "health");
        foreach (var r in rows)
        {
            var s = r.Status;
            text.AppendFormat(CultureInfo.InvariantCulture, format, r.Id, r.Process, s?.Role ?? "—", LiveView.N(s?.Term), s is null || s.LeaderId == 0 ? "—" : LiveView.N(s.LeaderId),
                LiveView.N(s?.CommitIndex), LiveView.N(s?.AppliedIndex), LiveView.N(s?.SnapshotIndex), LiveView.N(s?.SnapshotRestores), LiveView.Membership(r), r.Health);
        }

        return text.ToString();
    }
}
