namespace HsmRaft.Storage;

/// <summary>The data directory's lock, shared by the three stores of one <see cref="FileStorage"/>: it is released when the
/// last of them is disposed, so the node can dispose its stores in any order.</summary>
internal sealed class DirectoryLock(IDisposable handle, int holders)
{
    private int _holders = holders;

    public DirectoryLease Lease() => new(this);

    private void Release()
    {
        if (Interlocked.Decrement(ref _holders) == 0)
        {
            handle.Dispose();
        }
    }

    /// <summary>One holder's share of the lock; disposing it twice releases once.</summary>
    internal sealed class DirectoryLease(DirectoryLock owner) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                owner.Release();
            }
        }
    }
}
