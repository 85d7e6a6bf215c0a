using Grpc.Core;

namespace HsmRaft.Transport.Grpc;

/// <summary>One long-lived client-streaming call to a peer: every batch is one request message, so pipelined batches
/// flow without a round trip per message.</summary>
internal sealed class GrpcPeerConnection : IRaftConnection
{
    private readonly AsyncClientStreamingCall<FrameBatch, StreamClosed> _call;
    private readonly CancellationTokenSource _closed = new();

    private GrpcPeerConnection(AsyncClientStreamingCall<FrameBatch, StreamClosed> call)
    {
        _call = call;
        // The server never answers an accepted stream until it ends it, so completion of the response means the stream is gone.
        // Reading Exception marks a failed response as observed (the failure itself is reported by the next write).
        _ = call.ResponseAsync.ContinueWith(static (response, state) =>
        {
            _ = response.Exception;
            ((GrpcPeerConnection)state!).MarkClosed();
        }, this, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    public CancellationToken Closed => _closed.Token;

    /// <summary>Starts the call and waits for the server to accept the handshake.</summary>
    public static async ValueTask<GrpcPeerConnection> OpenAsync(CallInvoker invoker, Metadata handshake, CancellationToken cancellationToken)
    {
        var call = invoker.AsyncClientStreamingCall(RaftGrpcProtocol.StreamMethod, null, new CallOptions(handshake));
        try
        {
            var headers = await call.ResponseHeadersAsync.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (headers.GetValue(RaftGrpcProtocol.AcceptedHeader) is null)
            {
                // Refused: the status detail says why (another cluster, unknown node, other wire version).
                await call.ResponseAsync.WaitAsync(cancellationToken).ConfigureAwait(false);
                throw new IOException("The peer ended the stream without accepting it.");
            }

            return new GrpcPeerConnection(call);
        }
        catch (RpcException e)
        {
            call.Dispose();
            throw new IOException(e.Status.Detail.Length > 0 ? $"{e.StatusCode}: {e.Status.Detail}" : e.StatusCode.ToString(), e.Status.DebugException ?? e);
        }
        catch
        {
            call.Dispose();
            throw;
        }
    }

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> frames, CancellationToken cancellationToken) =>
        await _call.RequestStream.WriteAsync(new FrameBatch(frames), cancellationToken).ConfigureAwait(false);

    public ValueTask DisposeAsync()
    {
        _call.Dispose();
        MarkClosed();
        _closed.Dispose();
        return ValueTask.CompletedTask;
    }

    private void MarkClosed()
    {
        try
        {
            _closed.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Disposed first: nobody is watching any more.
        }
    }
}
