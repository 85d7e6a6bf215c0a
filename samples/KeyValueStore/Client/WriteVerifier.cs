namespace HsmRaft.Samples.KeyValueStore.Client;

/// <summary>The outcome of <see cref="WriteVerifier.VerifyAsync"/>.</summary>
/// <param name="Passed">True when every node holds every acknowledged write and all nodes hold the same state.</param>
/// <param name="AcknowledgedWrites">How many acknowledged writes were checked.</param>
/// <param name="CommitIndex">The leader's commit index every node was brought up to before the check.</param>
/// <param name="KeysPerNode">How many keys each node holds.</param>
/// <param name="Problems">What is wrong (at most a few examples per kind).</param>
public sealed record VerificationResult(bool Passed, int AcknowledgedWrites, long CommitIndex, IReadOnlyDictionary<ulong, int> KeysPerNode, IReadOnlyList<string> Problems);

/// <summary>
/// Checks the durability promise end to end: once the cluster agrees on a leader, every node is brought up to the leader's commit
/// index (which covers every acknowledged write), and then each node's whole state must contain every acknowledged write with its
/// value, and all nodes' states must be identical (they applied the same log).
/// </summary>
public static class WriteVerifier
{
    private const int MaxExamples = 5;

    /// <summary>Verifies <paramref name="acknowledged"/> (key → value) on every node of <paramref name="nodes"/>.</summary>
    public static async Task<VerificationResult> VerifyAsync(
        KvClient client, IReadOnlyList<string> nodes, IReadOnlyDictionary<string, string> acknowledged, TimeSpan timeout, CancellationToken ct = default)
    {
        var leader = await ClusterWaits.WaitForLeaderAsync(client, nodes, timeout, ct: ct);
        var dumps = await DumpAtOneIndexAsync(client, nodes, leader.CommitIndex, timeout, ct);

        var problems = new List<string>();
        foreach (var dump in dumps)
        {
            var missing = acknowledged.Where(w => !dump.Items.TryGetValue(w.Key, out var v) || v != w.Value).Take(MaxExamples + 1).ToList();
            if (missing.Count > 0)
            {
                var total = acknowledged.Count(w => !dump.Items.TryGetValue(w.Key, out var v) || v != w.Value);
                problems.Add($"node {dump.Node} lacks {total} acknowledged write(s), e.g. " +
                    string.Join(", ", missing.Take(MaxExamples).Select(w => $"{w.Key}={w.Value} (has {dump.Items.GetValueOrDefault(w.Key) ?? "nothing"})")));
            }
        }

        var reference = dumps[0];
        foreach (var dump in dumps.Skip(1))
        {
            var differing = reference.Items.Where(p => !dump.Items.TryGetValue(p.Key, out var v) || v != p.Value).Select(p => p.Key)
                .Concat(dump.Items.Keys.Where(k => !reference.Items.ContainsKey(k))).Take(MaxExamples).ToList();
            if (differing.Count > 0)
            {
                problems.Add($"nodes {reference.Node} and {dump.Node} diverge (applied {reference.AppliedIndex} and {dump.AppliedIndex}), e.g. keys {string.Join(", ", differing)}");
            }
        }

        return new VerificationResult(problems.Count == 0, acknowledged.Count, leader.CommitIndex, dumps.ToDictionary(d => d.Node, d => d.Items.Count), problems);
    }

    /// <summary>Dumps every node once all have applied <paramref name="index"/>. Writes abandoned by a stopped client may still
    /// commit meanwhile, so the dumps are retaken until every node reports the same applied index.</summary>
    private static async Task<DumpResponse[]> DumpAtOneIndexAsync(KvClient client, IReadOnlyList<string> nodes, long index, TimeSpan timeout, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            await ClusterWaits.WaitForAppliedAsync(client, nodes, index, timeout, ct);
            var dumps = await Task.WhenAll(nodes.Select(n => client.DumpAsync(n, ct)));
            var highest = dumps.Max(d => d.AppliedIndex);
            if (dumps.All(d => d.AppliedIndex == highest) || attempt == 10)
            {
                return dumps;
            }

            index = highest;
        }
    }
}
