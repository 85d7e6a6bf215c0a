using HsmRaft.Core;
using HsmRaft.Messages;

namespace HsmRaft.Tests;

/// <summary>A minimal lock-step cluster of cores with instant, reliable delivery, for core smoke tests.</summary>
internal sealed class MiniCluster
{
    public Dictionary<NodeId, RaftCore> Nodes { get; } = [];
    public Dictionary<NodeId, List<LogEntry>> Applied { get; } = [];
    private readonly Queue<RaftMessage> _network = new();

    public MiniCluster(int size, int seed = 1)
    {
        var members = Enumerable.Range(1, size).Select(i => new ClusterMember(new NodeId((ulong)i), $"node{i}")).ToArray();
        var config = ClusterConfiguration.OfVoters(members);
        foreach (var m in members)
        {
            var core = new RaftCore(new RaftCoreOptions { Id = m.Id, Seed = seed * 100 + (int)m.Id.Value }, RaftCoreInitialState.Bootstrap(config));
            Nodes[m.Id] = core;
            Applied[m.Id] = [];
        }
    }

    public void Pump()
    {
        for (var rounds = 0; rounds < 1000; rounds++)
        {
            var any = false;
            foreach (var (id, core) in Nodes)
            {
                while (core.HasReady)
                {
                    any = true;
                    var r = core.GetReady();
                    foreach (var m in r.Messages) _network.Enqueue(m);
                    core.Advance(r);
                    foreach (var m in r.MessagesAfterPersist) _network.Enqueue(m);
                    Applied[id].AddRange(r.CommittedEntries);
                    if (r.CommittedEntries.Count > 0) core.ReportApplied(r.CommittedEntries[^1].Index);
                }
            }

            while (_network.TryDequeue(out var msg))
            {
                any = true;
                Nodes[msg.To].Step(msg);
            }

            if (!any) return;
        }
    }

    public void Tick(int n = 1)
    {
        for (var i = 0; i < n; i++)
        {
            foreach (var core in Nodes.Values) core.Tick();
            Pump();
        }
    }

    public RaftCore? Leader => Nodes.Values.SingleOrDefault(n => n.IsLeader);
}
