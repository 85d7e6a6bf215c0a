using HsmRaft.Serialization.Protobuf;
using Xunit;

namespace HsmRaft.Transport.Tests;

/// <summary>A transport learns of a removed peer (<c>OnPeerLinkRemoved</c>) after the peer set no longer has it: a transport
/// that releases a connection pool or channel per address asks <c>IsPeerAddress</c> then, and must get the new answer.</summary>
public sealed class PeerRemovalTests
{
    [Fact]
    public async Task A_removed_peer_is_no_longer_a_peer_when_the_transport_hears_of_its_removal()
    {
        await using var transport = new ProbeTransport();
        transport.UpdatePeers([new ClusterMember(2, "http://127.0.0.1:7002"), new ClusterMember(3, "http://127.0.0.1:7003")]);

        transport.UpdatePeers([new ClusterMember(3, "http://127.0.0.1:7003")]);

        var (member, stillAPeer) = Assert.Single(transport.Removals);
        Assert.Equal((NodeId)2, member.Id);
        Assert.False(stillAPeer, "node 2's address was still a peer's when its removal was reported");
    }

    [Fact]
    public async Task A_peer_that_moves_to_an_address_another_peer_keeps_is_reported_and_the_address_stays_a_peer()
    {
        await using var transport = new ProbeTransport();
        transport.UpdatePeers([new ClusterMember(2, "http://127.0.0.1:7002"), new ClusterMember(3, "http://127.0.0.1:7003")]);

        // Node 2 moves; node 4 takes its old address: the old address is still a peer's, so nothing may be released for it.
        transport.UpdatePeers([new ClusterMember(2, "http://127.0.0.1:7012"), new ClusterMember(3, "http://127.0.0.1:7003"), new ClusterMember(4, "http://127.0.0.1:7002")]);

        var (member, stillAPeer) = Assert.Single(transport.Removals);
        Assert.Equal("http://127.0.0.1:7002", member.Address);
        Assert.True(stillAPeer);
    }

    private sealed class ProbeTransport() : RaftTransportBase(new RaftTransportOptions { LocalNodeId = 1, ClusterId = "c1" }, ProtobufRaftMessageSerializer.Instance)
    {
        public List<(ClusterMember Member, bool StillAPeer)> Removals { get; } = [];

        protected override void OnPeerLinkRemoved(ClusterMember member, Task stopped) => Removals.Add((member, IsPeerAddress(member.Address)));

        protected override ValueTask StartListeningAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

        protected override ValueTask StopListeningAsync() => ValueTask.CompletedTask;

        protected override ValueTask<IRaftConnection> ConnectAsync(ClusterMember peer, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("not started: no connection is made");

    }
}
