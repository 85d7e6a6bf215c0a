using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace Hsm.Runtime;

/// <summary>
/// A bounded ring buffer used by generated machines for their run-to-completion, re-dispatch and deferred-event queues.
/// Allocated once when the machine starts; pushing and popping never allocate.
/// </summary>
/// <typeparam name="T">The stored item (a generated event union, or a state id).</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class EventQueue<T>
{
    private readonly T[] _items;
    private int _head;

    /// <summary>Creates a queue holding at most <paramref name="capacity"/> items.</summary>
    public EventQueue(int capacity) => _items = new T[capacity];

    /// <summary>Items in the queue.</summary>
    public int Count { get; private set; }

    /// <summary>Maximum number of items.</summary>
    public int Capacity => _items.Length;

    /// <summary>Adds at the back; false when full.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryPushBack(in T item)
    {
        if (Count == _items.Length)
        {
            return false;
        }

        var index = _head + Count;
        if (index >= _items.Length)
        {
            index -= _items.Length;
        }

        _items[index] = item;
        Count++;
        return true;
    }

    /// <summary>Adds at the front; false when full.</summary>
    public bool TryPushFront(in T item)
    {
        if (Count == _items.Length)
        {
            return false;
        }

        _head = _head == 0 ? _items.Length - 1 : _head - 1;
        _items[_head] = item;
        Count++;
        return true;
    }

    /// <summary>Removes and returns the front item (the queue must not be empty). The slot is cleared so references are released.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T PopFront()
    {
        var item = _items[_head];
        _items[_head] = default!;
        _head = _head + 1 == _items.Length ? 0 : _head + 1;
        Count--;
        return item;
    }

    /// <summary>The item at position <paramref name="index"/> from the front.</summary>
    public T this[int index]
    {
        get
        {
            if ((uint)index >= (uint)Count)
            {
                throw new ArgumentOutOfRangeException(nameof(index));
            }

            var i = _head + index;
            return _items[i >= _items.Length ? i - _items.Length : i];
        }
    }

    /// <summary>Removes every item.</summary>
    public void Clear()
    {
        Array.Clear(_items);
        _head = 0;
        Count = 0;
    }
}
