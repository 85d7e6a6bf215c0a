namespace HsmRaft.Transport;

/// <summary>
/// One outbound connection of a transport built on <see cref="RaftTransportBase"/>: a byte pipe to a peer that frames
/// are written to. The base class owns queueing, batching, timeouts, reconnects and health; a connection only moves bytes.
/// </summary>
public interface IRaftConnection : IAsyncDisposable
{
    /// <summary>Writes one batch of whole frames and flushes it. Never called concurrently.</summary>
    ValueTask WriteAsync(ReadOnlyMemory<byte> frames, CancellationToken cancellationToken);

    /// <summary>Cancelled when the connection is known to be gone (the peer closed it or an error occurred), so an idle
    /// writer notices and reconnects before it has anything to send.</summary>
    CancellationToken Closed { get; }
}
