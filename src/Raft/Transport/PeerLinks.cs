using System.Collections.Frozen;

namespace HsmRaft.Transport;

/// <summary>The per-peer state a transport keeps: the member, its outbox, and the loop that drains it.</summary>
/// <typeparam name="T">What the outbox holds.</typeparam>
internal abstract class PeerLink<T>
{
    private readonly CancellationTokenSource _stop;

    protected PeerLink(ClusterMember member, int capacity, CancellationToken stopping)
    {
        Member = member;
        Outbox = new PeerOutbox<T>(capacity);
        _stop = CancellationTokenSource.CreateLinkedTokenSource(stopping);
    }

    public ClusterMember Member { get; }

    public PeerOutbox<T> Outbox { get; }

    public Task Completion { get; private set; } = Task.CompletedTask;

    public void Start() => Completion = Task.Run(() => RunAsync(_stop.Token));

    private int _stopped;

    public void Stop()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        _stop.Cancel();
        Outbox.Close();
        // The linked source stays registered on the transport's stopping token until disposed: release it once the loop is done
        // (a link removed by a membership change would otherwise leak it for the transport's lifetime).
        _ = Completion.ContinueWith(static (_, stop) => ((CancellationTokenSource)stop!).Dispose(), _stop, CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>The loop; returns once <paramref name="token"/> is cancelled.</summary>
    protected abstract Task RunAsync(CancellationToken token);
}

/// <summary>
/// A transport's peers: a lock-free lookup for <see cref="IRaftTransport.Send"/>, and membership changes that keep
/// links whose address is unchanged, create links for new peers (or changed addresses), and stop the rest.
/// </summary>
/// <param name="self">This node (never a peer of itself).</param>
/// <param name="create">Makes the link of a new peer.</param>
/// <param name="owner">The transport, named by <see cref="ObjectDisposedException"/>.</param>
/// <param name="removed">Called (under the lock, after <see cref="PeerLink{T}.Stop"/> and once the new peer set is in place)
/// for every link a membership change stops, so the owner can release what it kept for that peer once the link's loop is done.</param>
internal sealed class PeerLinks<TLink, T>(NodeId self, Func<ClusterMember, TLink> create, object owner, Action<TLink>? removed = null)
    where TLink : PeerLink<T>
{
    private readonly Lock _lock = new();
    private FrozenDictionary<NodeId, TLink> _links = FrozenDictionary<NodeId, TLink>.Empty;
    private bool _started;
    private bool _disposed;

    public bool TryGet(NodeId peer, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out TLink? link) => _links.TryGetValue(peer, out link);

    public bool Contains(NodeId peer) => _links.ContainsKey(peer);

    /// <summary>True when a current peer has this address.</summary>
    public bool HasAddress(string address)
    {
        foreach (var link in _links.Values)
        {
            if (string.Equals(link.Member.Address, address, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    public PeerHealth Health(NodeId peer) => _links.TryGetValue(peer, out var link) ? link.Outbox.Health : default;

    public void Start()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, owner);
            _started = true;
            foreach (var link in _links.Values)
            {
                link.Start();
            }
        }
    }

    public void Update(IReadOnlyCollection<ClusterMember> peers)
    {
        ArgumentNullException.ThrowIfNull(peers);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, owner);
            var next = new Dictionary<NodeId, TLink>();
            foreach (var member in peers)
            {
                if (member.Id == self || next.ContainsKey(member.Id))
                {
                    continue;
                }

                if (_links.TryGetValue(member.Id, out var existing) && existing.Member.Address == member.Address)
                {
                    next.Add(member.Id, existing);
                    continue;
                }

                var link = create(member);
                if (_started)
                {
                    link.Start();
                }

                next.Add(member.Id, link);
            }

            var gone = new List<TLink>();
            foreach (var (id, old) in _links)
            {
                if (!next.TryGetValue(id, out var kept) || kept != old)
                {
                    old.Stop();
                    gone.Add(old);
                }
            }

            // Published before the removal callbacks: a callback (or a continuation of a link that has already stopped) that
            // asks whether an address is still a peer's must see the new set, or a removed peer's resources are kept.
            _links = next.ToFrozenDictionary();
            foreach (var old in gone)
            {
                removed?.Invoke(old);
            }
        }
    }

    /// <summary>Stops every link and waits for their loops; false when already stopped.</summary>
    public async Task<bool> StopAllAsync()
    {
        TLink[] links;
        lock (_lock)
        {
            if (_disposed)
            {
                return false;
            }

            _disposed = true;
            links = [.. _links.Values];
            _links = FrozenDictionary<NodeId, TLink>.Empty;
        }

        foreach (var link in links)
        {
            link.Stop();
        }

        await Task.WhenAll(links.Select(l => l.Completion)).ConfigureAwait(false);
        return true;
    }
}
