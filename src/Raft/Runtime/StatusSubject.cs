using HsmRaft.Core;

namespace HsmRaft.Runtime;

/// <summary>A minimal observable of status changes. Observers are called on the node's loop and must return quickly.</summary>
internal sealed class StatusSubject : IObservable<RaftStatus>
{
    private IObserver<RaftStatus>[] _observers = [];

    public IDisposable Subscribe(IObserver<RaftStatus> observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        lock (this)
        {
            _observers = [.. _observers, observer];
        }

        return new Subscription(this, observer);
    }

    public void Publish(RaftStatus status)
    {
        foreach (var o in Volatile.Read(ref _observers))
        {
            o.OnNext(status);
        }
    }

    public void Complete()
    {
        foreach (var o in Volatile.Read(ref _observers))
        {
            o.OnCompleted();
        }
    }

    private void Unsubscribe(IObserver<RaftStatus> observer)
    {
        lock (this)
        {
            _observers = _observers.Where(o => !ReferenceEquals(o, observer)).ToArray();
        }
    }

    private sealed class Subscription(StatusSubject subject, IObserver<RaftStatus> observer) : IDisposable
    {
        public void Dispose() => subject.Unsubscribe(observer);
    }
}
