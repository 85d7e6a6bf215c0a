namespace HsmRaft.Transport.Conformance;

/// <summary>
/// A raw connection to a transport's endpoint, as a broken or hostile peer would open one: the conformance suite writes
/// arbitrary bytes through it and watches the endpoint close it.
/// </summary>
public interface IRawConnection : IAsyncDisposable
{
    /// <summary>This connection's address as the endpoint sees (and logs) it, e.g. <c>127.0.0.1:50123</c>.</summary>
    string LocalAddress { get; }

    /// <summary>Completes when the endpoint has closed the connection.</summary>
    Task Closed { get; }

    /// <summary>Writes bytes. Message-oriented transports send each call as one transport message (one batch).
    /// Must not throw when the endpoint has already closed the connection.</summary>
    ValueTask WriteAsync(ReadOnlyMemory<byte> bytes);

    /// <summary>Ends the stream of bytes (half-close).</summary>
    ValueTask CompleteAsync();
}
