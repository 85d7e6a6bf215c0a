namespace HsmRaft.Transport.InMemory;

public sealed partial class InMemoryTransport
{
    /// <summary>The path to one peer: its outbox and the loop that delivers it, applying the network's faults.</summary>
    private sealed class Link : PeerLink<Queued>
    {
        private const int MaxBatch = 1024;
        private readonly InMemoryTransport _owner;
        private readonly RaftFrameWriter? _writer;
        private readonly FrameBuffer? _frame;
        private InMemoryTransport? _target;
        private RaftFrameReceiver.InboundSession? _session;
        private CancellationTokenSource? _sessionCalls;
        private bool _outageLogged;

        public Link(InMemoryTransport owner, ClusterMember member)
            : base(member, owner._options.PeerQueueCapacity, owner._stopping.Token)
        {
            _owner = owner;
            if (owner._serializer is not null)
            {
                _writer = new RaftFrameWriter(owner._options, owner._serializer);
                _frame = new FrameBuffer();
            }
        }

        protected override async Task RunAsync(CancellationToken token)
        {
            var batch = new List<Queued>(MaxBatch);
            try
            {
                while (await Outbox.Reader.WaitToReadAsync(token).ConfigureAwait(false))
                {
                    batch.Clear();
                    while (batch.Count < MaxBatch && Outbox.Reader.TryRead(out var item))
                    {
                        batch.Add(item);
                    }

                    var delivered = 0;
                    foreach (var item in batch)
                    {
                        delivered += await DeliverAsync(item, token).ConfigureAwait(false) ? 1 : 0;
                    }

                    if (delivered > 0)
                    {
                        Outbox.RecordSent(delivered, _owner._network.Time.GetUtcNow());
                    }
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
            }
            finally
            {
                CloseSession();
                _frame?.Dispose();
            }
        }

        private async ValueTask<bool> DeliverAsync(Queued item, CancellationToken token)
        {
            var network = _owner._network;
            var message = item.Message;
            var linkDelay = network.DelayOf(message.From, message.To);
            var remaining = linkDelay - network.Time.GetElapsedTime(item.EnqueuedAt);
            if (remaining > TimeSpan.Zero)
            {
                // The timer counts from when it is armed: if a (virtual) clock moved on between reading it and arming the
                // timer, the timer would wait the whole delay again. Re-read the clock once it is armed.
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(token);
                var timer = Task.Delay(remaining, network.Time, wait.Token);
                if (network.Time.GetElapsedTime(item.EnqueuedAt) < linkDelay)
                {
                    await timer.ConfigureAwait(false);
                }
                else
                {
                    await wait.CancelAsync().ConfigureAwait(false);
                }
            }

            await network.WhenDeliverable(message.To).WaitAsync(token).ConfigureAwait(false);
            var problem = RaftFrameWriter.CheckSendable(message, _owner._options);
            if (problem is null && _writer is not null)
            {
                _frame!.Reset();
                _writer.TryWrite(message, _frame, out problem);
            }

            if (problem is not null)
            {
                TransportLog.MessageRejected(_owner._logger, Member.Id, problem);
                return Drop(failed: false);
            }

            var target = network.CanReach(message.From, message.To) ? network.Find(Member.Address) : null;
            if (target is null)
            {
                CloseSession();
                var dropped = Drop(failed: true);
                LogOutage("the node is unreachable (stopped, isolated or partitioned)");
                return dropped;
            }

            if (network.ShouldDrop())
            {
                return Drop(failed: false);
            }

            var session = OpenSession(target);
            var calls = _sessionCalls!;
            // A framed delivery gets its own copy: a stalled call may still be reading it when the next frame is written.
            var delivery = _frame is not null
                ? session.ReceiveBatchAsync(_frame.WrittenMemory.ToArray(), calls.Token)
                : session.ReceiveObjectAsync(_owner._clusterId, message, calls.Token);
            bool accepted;
            try
            {
                accepted = await delivery.AsTask().WaitAsync(_owner._options.WriteTimeout, network.Time, token).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // The peer stopped reading: give up on this "connection" as a socket transport would.
                CloseSession();
                var dropped = Drop(failed: true);
                TransportLog.PeerStalled(_owner._logger, Member.Id, Member.Address, _owner._options.WriteTimeout);
                _outageLogged = true;
                return dropped;
            }

            if (!accepted)
            {
                CloseSession();
                var dropped = Drop(failed: true);
                LogOutage("the peer closed the connection");
                return dropped;
            }

            return true;
        }

        private RaftFrameReceiver.InboundSession OpenSession(InMemoryTransport target)
        {
            if (_session is not null && _target == target)
            {
                return _session;
            }

            CloseSession();
            _target = target;
            _session = target.OpenInbound(_owner.Address);
            _sessionCalls = CancellationTokenSource.CreateLinkedTokenSource(target.Stopping);
            Outbox.RecordConnected();
            _outageLogged = false;
            TransportLog.PeerConnected(_owner._logger, Member.Id, Member.Address);
            return _session;
        }

        private void CloseSession()
        {
            _sessionCalls?.Cancel();
            _sessionCalls?.Dispose();
            _sessionCalls = null;
            _session?.Dispose();
            _session = null;
            _target = null;
        }

        private void LogOutage(string reason)
        {
            if (!_outageLogged)
            {
                _outageLogged = true;
                TransportLog.PeerUnreachable(_owner._logger, Member.Id, Member.Address, reason);
            }
        }

        private bool Drop(bool failed)
        {
            Outbox.RecordDropped(1);
            if (failed)
            {
                Outbox.RecordFailure();
            }

            return false;
        }
    }
}
