using HsmRaft.Core.Progress;

namespace HsmRaft.Core;

/// <summary>
/// The leader lease behind <see cref="RaftCoreOptions.LeaseReads"/>. A follower that received a heartbeat refuses to vote for
/// anyone else for <see cref="RaftCoreOptions.ElectionTicks"/> of its own ticks (check-quorum), so no other leader can exist
/// until ElectionTicks − 1 ticks after that heartbeat was <i>sent</i>. The lease is therefore timed from the sending of the
/// latest heartbeat round each follower answered, never from when an answer arrived: an answer held up in the network proves
/// nothing about the present. Every heartbeat round carries its number (<see cref="Messages.Heartbeat.Context"/>), which the
/// answer echoes, and the leader remembers at which of its ticks each recent round went out.
/// </summary>
internal sealed partial class RaftMachine
{
    private readonly Queue<(long Round, long Tick)> _roundTicks = new();
    private long _leaderTicks;
    private bool _leaseBroken;

    private void ResetLease()
    {
        _leaderTicks = 0;
        _roundTicks.Clear();
        _leaseBroken = false;
    }

    /// <summary>Remembers when heartbeat round <paramref name="round"/> went out (rounds older than an election timeout are useless).</summary>
    private void RecordHeartbeatRound(long round)
    {
        _roundTicks.Enqueue((round, _leaderTicks));
        while (_roundTicks.Peek().Tick < _leaderTicks - Options.ElectionTicks)
        {
            _roundTicks.Dequeue();
        }
    }

    /// <summary><paramref name="peer"/> answered heartbeat round <paramref name="round"/>: it honours us until that round's tick plus the lease.</summary>
    private void RenewLease(PeerProgress peer, long round)
    {
        foreach (var (r, tick) in _roundTicks)
        {
            if (r == round)
            {
                peer.LeaseTick = Math.Max(peer.LeaseTick, tick);
                return;
            }
        }
    }

    /// <summary>
    /// True while a quorum answered a heartbeat sent at most ElectionTicks − 2 ticks ago: one tick for the follower's tick phase and
    /// one for ours, since the lease must end before the earliest moment a follower could vote again (ElectionTicks − 1 ticks after
    /// it received the heartbeat). Broken for the rest of the term once a leadership transfer was started: the target's campaign
    /// tells voters to ignore their lease.
    /// </summary>
    private bool LeaseHolds()
    {
        if (_leaseBroken)
        {
            return false;
        }

        var oldest = _leaderTicks - (Options.ElectionTicks - 2);
        return Quorum.IsQuorum(Config, n => n == Id || (_progress.TryGetValue(n, out var p) && p.LeaseTick >= oldest));
    }

    /// <summary>A TimeoutNow went out: voters will ignore their lease for the target, so ours no longer protects reads.</summary>
    private void BreakLease() => _leaseBroken = true;
}
