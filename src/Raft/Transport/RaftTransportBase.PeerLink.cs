using HsmRaft.Messages;

namespace HsmRaft.Transport;

public abstract partial class RaftTransportBase
{
    /// <summary>One peer: its outbox and the loop that connects, drains the outbox in batches, and reconnects.</summary>
    private sealed class PeerLink(RaftTransportBase owner, ClusterMember member)
        : PeerLink<RaftMessage>(member, owner.Options.PeerQueueCapacity, owner.Stopping)
    {
        private readonly RaftTransportBase _owner = owner;

        protected override async Task RunAsync(CancellationToken token)
        {
            var writer = new RaftFrameWriter(_owner.Options, _owner.Serializer);
            using var batch = new FrameBuffer();
            var outageLogged = false;
            while (!token.IsCancellationRequested)
            {
                string failure;
                IRaftConnection? connection = null;
                try
                {
                    connection = await ConnectAsync(token).ConfigureAwait(false);
                    Outbox.RecordConnected();
                    TransportLog.PeerConnected(_owner.Logger, Member.Id, Member.Address);
                    outageLogged = false;
                    (failure, var stalled) = await PumpAsync(connection, writer, batch, token).ConfigureAwait(false);
                    outageLogged |= stalled;
                }
                catch (Exception e) when (!token.IsCancellationRequested)
                {
                    failure = Describe(e);
                }
                catch (Exception)
                {
                    // Stopping: whatever the connection threw while being torn down is expected.
                    break;
                }
                finally
                {
                    if (connection is not null)
                    {
                        await DisposeQuietlyAsync(connection).ConfigureAwait(false);
                    }
                }

                if (token.IsCancellationRequested)
                {
                    break;
                }

                var attempt = Outbox.RecordFailure();
                var delay = _owner._backoff.Next(attempt);
                if (!outageLogged)
                {
                    outageLogged = true;
                    TransportLog.PeerUnreachable(_owner.Logger, Member.Id, Member.Address, failure);
                }
                else
                {
                    TransportLog.PeerRetry(_owner.Logger, attempt, Member.Id, Member.Address, failure, delay);
                }

                try
                {
                    await Task.Delay(delay, _owner.Time, token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }

        private async ValueTask<IRaftConnection> ConnectAsync(CancellationToken token)
        {
            using var timeout = new CancellationTokenSource(_owner.Options.ConnectTimeout, _owner.Time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(token, timeout.Token);
            try
            {
                return await _owner.ConnectAsync(Member, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !token.IsCancellationRequested)
            {
                throw new TimeoutException($"connecting took longer than RaftTransportOptions.ConnectTimeout ({_owner.Options.ConnectTimeout})");
            }
        }

        /// <summary>Writes batches until the connection fails; returns why, and whether it was a stall (already logged).</summary>
        private async Task<(string Failure, bool Stalled)> PumpAsync(IRaftConnection connection, RaftFrameWriter writer, FrameBuffer batch, CancellationToken token)
        {
            var options = _owner.Options;
            using var writeTimeout = new CancellationTokenSource(Timeout.InfiniteTimeSpan, _owner.Time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(token, connection.Closed, writeTimeout.Token);
            while (true)
            {
                var count = 0;
                try
                {
                    if (!Outbox.Reader.TryPeek(out _) && !await Outbox.Reader.WaitToReadAsync(linked.Token).ConfigureAwait(false))
                    {
                        return ("the peer was removed", false);
                    }

                    batch.Reset();
                    while (batch.Length < BatchTargetBytes && Outbox.Reader.TryRead(out var message))
                    {
                        if (writer.TryWrite(message, batch, out var problem))
                        {
                            count++;
                        }
                        else
                        {
                            Outbox.RecordDropped(1);
                            TransportLog.MessageRejected(_owner.Logger, Member.Id, problem);
                        }
                    }

                    if (count == 0)
                    {
                        continue;
                    }

                    writeTimeout.CancelAfter(options.WriteTimeout);
                    await connection.WriteAsync(batch.WrittenMemory, linked.Token).ConfigureAwait(false);
                    writeTimeout.CancelAfter(Timeout.InfiniteTimeSpan);
                    Outbox.RecordSent(count, _owner.Time.GetUtcNow());
                }
                catch (Exception e) when (!token.IsCancellationRequested)
                {
                    // Whatever was in the failed batch may or may not have arrived; Raft resends what matters.
                    Outbox.RecordDropped(count);
                    if (writeTimeout.IsCancellationRequested)
                    {
                        TransportLog.PeerStalled(_owner.Logger, Member.Id, Member.Address, options.WriteTimeout);
                        return ("the peer stopped reading", true);
                    }

                    return (connection.Closed.IsCancellationRequested ? "the connection was closed" : Describe(e), false);
                }
            }
        }

        private static string Describe(Exception e) =>
            e.InnerException is { } inner && e.Message.Length < 80 ? $"{e.Message} ({inner.Message})" : e.Message;

        private static async ValueTask DisposeQuietlyAsync(IRaftConnection connection)
        {
            try
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or System.Net.Sockets.SocketException)
            {
                // The connection is being abandoned; its close errors carry no information.
            }
        }
    }
}
