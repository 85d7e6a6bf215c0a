using Hsm;

namespace Hsm.Tests.Machines;

public struct Cell
{
    public int N;
}

public struct Cell2
{
    public int N;
}

/// <summary>Actions that change the very field the event was passed from (<c>Dispatch(in m.Slot)</c>): every path must see
/// the event as it was when dispatched. <see cref="Cell"/>'s action is trivial, <see cref="Cell2"/>'s is not.</summary>
[StateMachine]
public partial class Snapshotting
{
    public Cell Slot;
    public Cell2 Slot2;
    public int Seen;
    public List<int> Log { get; } = [];

    [Initial, Internal<Cell>(Action = nameof(Take)), Internal<Cell2>(Action = nameof(Take2))]
    public partial class S
    {
        void Take(in Cell e)
        {
            Machine.Slot.N = 99;
            Machine.Seen = e.N;
        }

        void Take2(in Cell2 e)
        {
            Machine.Slot2.N = 99;
            Machine.Log.Add(e.N);
        }
    }
}
