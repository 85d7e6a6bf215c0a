using HsmRaft.Storage;
using HsmRaft.Transport;
using Microsoft.Extensions.Options;

namespace HsmRaft.Hosting;

/// <summary>Checks <see cref="RaftHostingOptions"/> at start-up; every failure names the setting (as a configuration key under
/// <c>Raft:</c>) and a valid value.</summary>
internal sealed class RaftHostingOptionsValidator : IValidateOptions<RaftHostingOptions>
{
    public ValidateOptionsResult Validate(string? name, RaftHostingOptions o)
    {
        var problems = new List<string>();
        void Check(bool ok, string message)
        {
            if (!ok)
            {
                problems.Add(message);
            }
        }

        Check(o.NodeId > 0, "Raft:NodeId must be a positive integer, for example 1.");
        Check(RaftTransportOptions.IsValidClusterId(o.ClusterId), $"Raft:ClusterId '{o.ClusterId}' must be 1-64 letters, digits, '.', '_' or '-', for example \"orders\".");
        Check(!string.IsNullOrWhiteSpace(o.DataDirectory), "Raft:DataDirectory is required: one directory per node, for example \"/var/lib/hsmraft/node1\".");
        Check(o.Members.All(m => m.Id > 0), "Raft:Members: every member needs a positive Id, for example { \"Id\": 2, \"Address\": \"http://127.0.0.1:5002\" }.");
        Check(o.Members.Select(m => m.Id).Distinct().Count() == o.Members.Count, "Raft:Members lists a node id twice; list each member once.");
        foreach (var m in o.Members)
        {
            Check(IsAddress(m.Address), $"Raft:Members: the address '{m.Address}' of node {m.Id} is not valid; use http://IP:port, for example http://127.0.0.1:5002.");
        }

        var self = o.Members.FirstOrDefault(m => m.Id == o.NodeId);
        if (o.Join)
        {
            Check(self is null, $"Raft:Join is set but node {o.NodeId} is listed in Raft:Members; a joining node is not a founding member (remove it from Members or unset Join).");
            Check(o.Address is not null, "Raft:Address is required when Raft:Join is set, for example http://127.0.0.1:5004.");
        }
        else
        {
            Check(self is not null, $"Raft:Members must include this node ({o.NodeId}) with its address, or set Raft:Join = true to join an existing cluster.");
        }

        Check(o.Address is null || IsAddress(o.Address), $"Raft:Address '{o.Address}' is not valid; use http://IP:port, for example http://127.0.0.1:5001.");
        Check(o.TickIntervalMilliseconds is >= 1 and <= 10_000, $"Raft:TickIntervalMilliseconds is {o.TickIntervalMilliseconds}; use 1..10000 (50 is typical).");
        Check(o.ElectionTicks >= 2, $"Raft:ElectionTicks is {o.ElectionTicks}; use at least 2 (10 is typical).");
        Check(o.HeartbeatTicks >= 1 && o.HeartbeatTicks < o.ElectionTicks, $"Raft:HeartbeatTicks is {o.HeartbeatTicks}; use at least 1 and less than ElectionTicks ({o.ElectionTicks}).");
        Check(!o.LeaseReads || o.CheckQuorum, "Raft:LeaseReads requires Raft:CheckQuorum = true.");
        Check(o.SnapshotEveryEntries >= 0, $"Raft:SnapshotEveryEntries is {o.SnapshotEveryEntries}; use 0 (off) or a positive count such as 10000.");
        Check(o.SnapshotEveryBytes >= 0, $"Raft:SnapshotEveryBytes is {o.SnapshotEveryBytes}; use 0 (off) or a positive size such as 67108864.");
        Check(o.SnapshotTrailingEntries >= 0, $"Raft:SnapshotTrailingEntries is {o.SnapshotTrailingEntries}; use 0 or more (1000 is typical).");
        Check(o.SegmentSizeBytes is >= FileStorageOptions.MinSegmentSize and <= FileStorageOptions.MaxSegmentSize,
            $"Raft:SegmentSizeBytes is {o.SegmentSizeBytes}; use {FileStorageOptions.MinSegmentSize}..{FileStorageOptions.MaxSegmentSize} (67108864 is typical).");
        Check(Enum.TryParse<FsyncMode>(o.FsyncMode, ignoreCase: true, out _),
            $"Raft:FsyncMode '{o.FsyncMode}' is unknown; use DataSync (default), FullSync, or UnsafeNoSync (loses acknowledged writes on power failure).");
        Check(o.Transport is "grpc" or "custom", $"Raft:Transport '{o.Transport}' is unknown; use grpc, or custom after calling UseTransport(...).");
        Check(o.CertificatePath is null || File.Exists(o.CertificatePath), $"Raft:CertificatePath '{o.CertificatePath}' does not exist; give the path of a PFX certificate.");
        Check(o.TrustedCaPath is null || File.Exists(o.TrustedCaPath), $"Raft:TrustedCaPath '{o.TrustedCaPath}' does not exist; give the path of the cluster CA's PEM file.");
        Check(o.TrustedCaPath is null || o.CertificatePath is not null, "Raft:TrustedCaPath needs Raft:CertificatePath (mutual TLS needs this node's own certificate).");
        Check(o.ShutdownHandOverMilliseconds >= 0, $"Raft:ShutdownHandOverMilliseconds is {o.ShutdownHandOverMilliseconds}; use 0 or more (5000 is typical).");
        Check(o.HealthMaxApplyLag >= 0, $"Raft:HealthMaxApplyLag is {o.HealthMaxApplyLag}; use 0 or more.");
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    private static bool IsAddress(string? address) =>
        Uri.TryCreate(address, UriKind.Absolute, out var uri) && (uri.Scheme == "http" || uri.Scheme == "https") && uri.Port > 0;
}
