using Hsm;

namespace Hsm.Tests.Machines;

public readonly record struct Attempt(int Value);

/// <summary>Guard priority: P.L1's two guarded transitions are tried in declaration order, then the parent P's.</summary>
[StateMachine]
public partial class Guards
{
    public List<string> Log { get; } = [];
    public bool ParentAllows;

    [Initial]
    [Transition<Attempt, P2>(Guard = nameof(ParentGuard))]
    public partial class P
    {
        bool ParentGuard() { Machine.Log.Add("guard Parent"); return Machine.ParentAllows; }

        [Initial]
        [Transition<Attempt, L2>(Guard = nameof(First))]
        [Transition<Attempt, L3>(Guard = nameof(Second), Action = nameof(ToL3))]
        public partial class L1
        {
            bool First(in Attempt e) { Machine.Log.Add("guard First"); return e.Value == 1; }
            bool Second(in Attempt e) { Machine.Log.Add("guard Second"); return e.Value == 2; }
            void ToL3(in Attempt e) => Machine.Log.Add("act ToL3 " + e.Value);
        }

        public partial class L2;

        public partial class L3;
    }

    public partial class P2;
}
