using System.Diagnostics;
using System.Globalization;
using HsmRaft.Samples.KeyValueStore.Client;

namespace HsmRaft.Samples.KeyValueStore.Demo;

/// <summary>
/// The demo's six steps against a <see cref="LocalCluster"/> of real node processes. Waits are on cluster events (status
/// long-polls, applied-index waits) with generous timeouts that only guard against hangs; the only timed parts are the windows in
/// which the workload is measured or kept running.
/// </summary>
internal sealed class DemoScript(DemoOptions options, DemoState state, LocalCluster cluster, KvClient client)
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);
    private readonly List<ulong> _members = [];
    private readonly StatusPoller _poller = new(state, cluster, client);

    public async Task<bool> RunAsync(CancellationToken ct)
    {
        using var poller = _poller;
        poller.Start();
        var ok = await StepAsync(1, s => StartClusterAsync(s, ct))
            && await StepAsync(2, s => MeasureWorkloadAsync(s, ct))
            && await StepAsync(3, s => KillLeaderAsync(s, ct))
            && await StepAsync(4, s => ReplaceTwoNodesAsync(s, ct))
            && await StepAsync(5, s => InstallSnapshotOnFreshNodeAsync(s, ct))
            && await StepAsync(6, s => VerifyAsync(s, ct));
        await poller.RefreshAsync();
        if (state.Workload is { } workload)
        {
            await workload.StopAsync();
        }

        return ok && state.Verification?.Passed == true;
    }

    private async Task<bool> StepAsync(int number, Func<DemoStep, Task<bool>> body)
    {
        var step = state.Steps[number - 1];
        step.Start();
        state.Log($"Step {number}: {step.Title}");
        bool ok;
        try
        {
            ok = await body(step);
        }
        catch (Exception e) when (e is TimeoutException or HttpRequestException or InvalidOperationException or IOException)
        {
            step.Detail = e.Message.Split('\n')[0];
            state.Log($"Step {number} failed: {e.Message}");
            ok = false;
        }

        step.Finish(ok);
        await _poller.RefreshAsync();
        state.Finished(step);
        return ok;
    }

    private async Task<bool> StartClusterAsync(DemoStep step, CancellationToken ct)
    {
        cluster.DefineFounders(1, 2, 3);
        _members.AddRange([1, 2, 3]);
        client.Endpoints = cluster.Apis(_members);
        var started = Stopwatch.GetTimestamp();
        var processes = await Task.WhenAll(_members.Select(id => cluster.StartAsync(id, ct)));
        state.Log($"Started nodes 1, 2, 3 (pids {string.Join(", ", processes.Select(p => p.Pid))}); each bootstraps the cluster {{1,2,3}} on first start");
        var ready = Stopwatch.GetTimestamp();
        var leader = await ClusterWaits.WaitForLeaderAsync(client, cluster.Apis(_members), HangGuard, ct: ct);
        step.Detail = $"node {leader.Id} leads term {leader.Term}; processes ready in {Seconds(started, ready)}, leader agreed {Seconds(ready)} later";
        state.Log($"Node {leader.Id} elected leader of term {leader.Term}; every node knows it");
        return true;
    }

    private async Task<bool> MeasureWorkloadAsync(DemoStep step, CancellationToken ct)
    {
        var workload = new Workload(client, options.Writers);
        state.Workload = workload;
        var from = Stopwatch.GetTimestamp();
        workload.Start();
        state.Log($"{options.Writers} concurrent writers PUT fresh keys through the HTTP API; each write returns once committed on a majority (fsync'd)");
        await RunForAsync(step, TimeSpan.FromSeconds(options.WorkloadSeconds), ct);
        var summary = workload.Latencies.Summarize(from, Stopwatch.GetTimestamp());
        step.Detail = summary.ToString();
        state.Log($"Measured: {summary}");
        return workload.Failure is null && summary.Count > 0;
    }

    private async Task<bool> KillLeaderAsync(DemoStep step, CancellationToken ct)
    {
        var workload = state.Workload!;
        var old = await ClusterWaits.WaitForLeaderAsync(client, cluster.Apis(_members), HangGuard, ct: ct);
        var pid = cluster.Process(old.Id)!.Pid;
        var killedAt = Stopwatch.GetTimestamp();
        await cluster.KillAsync(old.Id);
        state.Log($"SIGKILL node {old.Id} (the leader, pid {pid}) with {workload.Acknowledged.Count:N0} writes acknowledged");

        var survivors = cluster.Apis(_members.Where(m => m != old.Id));
        var next = await ClusterWaits.WaitForLeaderAsync(client, survivors, HangGuard, s => s.Term > old.Term, ct);
        var electedIn = Seconds(killedAt);
        state.Log($"Node {next.Id} elected leader of term {next.Term}, {electedIn} after the kill; writers follow the redirects");

        await RunForAsync(step, TimeSpan.FromSeconds(options.WorkloadSeconds / 2.0), ct);
        var pause = workload.Latencies.LongestGap(killedAt);

        var restartedAt = Stopwatch.GetTimestamp();
        await cluster.StartAsync(old.Id, ct);
        var target = (await client.StatusAsync(cluster.Api(next.Id), ct: ct)).CommitIndex;
        var caughtUp = await client.WaitForAppliedAsync(cluster.Api(old.Id), target, HangGuard, ct);
        state.Log($"Node {old.Id} restarted from its log on disk and caught up to index {target:N0} in {Seconds(restartedAt)} (now {caughtUp.Role} of term {caughtUp.Term})");
        step.Detail = $"node {next.Id} leads term {next.Term} {electedIn} after the kill; longest pause between acknowledged writes {pause.TotalSeconds:0.0} s; node {old.Id} recovered";
        return workload.Failure is null;
    }

    private async Task<bool> ReplaceTwoNodesAsync(DemoStep step, CancellationToken ct)
    {
        var leader = await ClusterWaits.WaitForLeaderAsync(client, cluster.Apis(_members), HangGuard, ct: ct);
        var removed = _members.Where(m => m != leader.Id).Take(2).ToList();
        ulong[] added = [4, 5];
        foreach (var id in added)
        {
            cluster.DefineJoiner(id);
        }

        await Task.WhenAll(added.Select(id => cluster.StartAsync(id, ct)));
        state.Log($"Started empty nodes 4 and 5; asking leader {leader.Id} to add them and remove {removed[0]} and {removed[1]} in one change");

        var started = Stopwatch.GetTimestamp();
        var result = await client.ChangeMembersAsync(new MembershipRequest(
            Add: [.. added.Select(id => new NewMemberDto(id, cluster.Spec(id).RaftUrl, cluster.Api(id)))],
            Remove: removed), ct);
        var took = Seconds(started);
        var path = (await client.HistoryAsync(cluster.Api(leader.Id), ct)).Select(h => h.Configuration).Distinct().SkipWhile(c => !c.Contains("learners", StringComparison.Ordinal)).ToList();
        state.Log($"Leader {result.Id}'s configurations: {string.Join("  →  ", path)}");

        _members.RemoveAll(removed.Contains);
        _members.AddRange(added);
        client.Endpoints = cluster.Apis(_members);
        var codes = await Task.WhenAll(removed.Select(cluster.StopAsync));
        state.Log($"Nodes {removed[0]} and {removed[1]} are no longer members; SIGTERM stopped them (exit codes {codes[0]}, {codes[1]})");

        var voters = result.Members.Where(m => m.Role == "voter").Select(m => m.Id).ToList();
        step.Detail = $"voters now {{{string.Join(",", voters)}}}; learners → C(old,new) → C(new) committed in {took}";
        return voters.Order().SequenceEqual(_members.Order());
    }

    private async Task<bool> InstallSnapshotOnFreshNodeAsync(DemoStep step, CancellationToken ct)
    {
        var leader = await ClusterWaits.WaitForLeaderAsync(client, cluster.Apis(_members), HangGuard, ct: ct);
        var snapshot = await WaitForSnapshotAsync(cluster.Api(leader.Id), ct);
        state.Log($"Leader {leader.Id} took a snapshot at index {snapshot.SnapshotIndex:N0} (one every {options.SnapshotEvery:N0} entries) and dropped the log before it but the last {DemoOptions.SnapshotTrailing} entries");

        const ulong fresh = 6;
        cluster.DefineJoiner(fresh);
        await cluster.StartAsync(fresh, ct);
        var started = Stopwatch.GetTimestamp();
        await client.ChangeMembersAsync(new MembershipRequest(Add: [new NewMemberDto(fresh, cluster.Spec(fresh).RaftUrl, cluster.Api(fresh))]), ct);
        _members.Add(fresh);
        client.Endpoints = cluster.Apis(_members);
        var target = (await client.StatusAsync(cluster.Api(leader.Id), ct: ct)).CommitIndex;
        var status = await client.WaitForAppliedAsync(cluster.Api(fresh), target, HangGuard, ct);
        var fromSnapshot = status.SnapshotRestores > 0;
        state.Log(fromSnapshot
            ? $"Node {fresh} received the leader's snapshot over gRPC (index {status.SnapshotIndex:N0}, {status.Keys:N0} keys), restored it, replayed the rest and voted in {Seconds(started)}"
            : $"Node {fresh} caught up without installing a snapshot; the log was not compacted far enough");
        step.Detail = fromSnapshot
            ? $"snapshot at {snapshot.SnapshotIndex:N0}; node {fresh} installed one ({status.Keys:N0} keys) and caught up to {target:N0} in {Seconds(started)}"
            : $"node {fresh} did not need a snapshot";
        return fromSnapshot;
    }

    private async Task<bool> VerifyAsync(DemoStep step, CancellationToken ct)
    {
        var workload = state.Workload!;
        await workload.StopAsync();
        state.Log($"Writers stopped: {workload.Acknowledged.Count:N0} writes acknowledged in total; checking each node's full state");
        var result = await WriteVerifier.VerifyAsync(client, cluster.Apis(_members), workload.Acknowledged, HangGuard, ct);
        state.Verification = result;
        foreach (var problem in result.Problems)
        {
            state.Log("PROBLEM: " + problem);
        }

        step.Detail = result.Passed
            ? $"all {result.AcknowledgedWrites:N0} acknowledged writes on nodes {string.Join(", ", result.KeysPerNode.Keys)}; states identical"
            : $"{result.Problems.Count} problem(s)";
        return result.Passed;
    }

    /// <summary>Lets the workload run for <paramref name="duration"/>, advancing the step's progress bar.</summary>
    private static async Task RunForAsync(DemoStep step, TimeSpan duration, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(started) < duration)
        {
            step.Progress = Math.Min(1, Stopwatch.GetElapsedTime(started) / duration);
            await Task.Delay(TimeSpan.FromMilliseconds(100), ct);
        }

        step.Progress = null;
    }

    /// <summary>Snapshots are taken in the background once enough entries applied; watch the leader's status until one exists.</summary>
    private async Task<NodeStatusDto> WaitForSnapshotAsync(string leader, CancellationToken ct)
    {
        var deadline = Stopwatch.GetTimestamp();
        while (true)
        {
            var status = await client.StatusAsync(leader, ct: ct);
            if (status.SnapshotIndex > 0)
            {
                return status;
            }

            if (Stopwatch.GetElapsedTime(deadline) > HangGuard)
            {
                throw new TimeoutException($"The leader took no snapshot within {HangGuard.TotalSeconds:0} s (applied {status.AppliedIndex}).");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), ct);
        }
    }

    private static string Seconds(long from, long? to = null) =>
        string.Create(CultureInfo.InvariantCulture, $"{Stopwatch.GetElapsedTime(from, to ?? Stopwatch.GetTimestamp()).TotalSeconds:0.0} s");
}

/// <summary>The demo's settings.</summary>
internal sealed record DemoOptions(int Writers, int WorkloadSeconds, int SnapshotEvery, bool Plain, bool KeepData)
{
    /// <summary>Entries a snapshot leaves in the log, so slightly lagging followers need no snapshot.</summary>
    public const int SnapshotTrailing = 200;
}
