namespace HsmRaft.Core;

/// <summary>The last log index of each AppendEntries message in flight to one follower (the pipelining window).</summary>
internal sealed class Inflights(int capacity)
{
    private readonly long[] _lastIndexes = new long[capacity];
    private int _start;

    public int Count { get; private set; }

    public bool IsFull => Count == _lastIndexes.Length;

    public void Add(long lastIndex)
    {
        var i = _start + Count;
        _lastIndexes[i >= _lastIndexes.Length ? i - _lastIndexes.Length : i] = lastIndex;
        Count++;
    }

    /// <summary>Frees every message whose entries are now acknowledged (last index at or below <paramref name="index"/>).</summary>
    public void FreeUpTo(long index)
    {
        while (Count > 0 && _lastIndexes[_start] <= index)
        {
            _start = _start + 1 == _lastIndexes.Length ? 0 : _start + 1;
            Count--;
        }
    }

    public void Reset()
    {
        _start = 0;
        Count = 0;
    }
}
