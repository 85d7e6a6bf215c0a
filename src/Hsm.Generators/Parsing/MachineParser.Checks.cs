using System.Collections.Generic;
using System.Linq;
using Hsm.Generators.Diagnostics;
using Hsm.Generators.Model;

namespace Hsm.Generators.Parsing;

/// <summary>Pass 3: checks that need the whole machine (reachability, choices, final states, deferrals).</summary>
internal sealed partial class MachineParser
{
    /// <summary>A reaction that always consumes its event hides every later reaction of the same state to that event.</summary>
    private void CheckReactionOrder(StateBuilder state)
    {
        var unconditional = new HashSet<int>();
        for (var i = 0; i < state.Reactions.Count; i++)
        {
            var r = state.Reactions[i];
            if (unconditional.Contains(r.Event))
            {
                var eventName = r.Event == CompletionEvent ? "Completion" : _events[r.Event].Name;
                Report(DiagnosticDescriptors.UnreachableReaction, state.ReactionLocations[i], state.Name, eventName);
                continue;
            }

            var always = r.Kind switch
            {
                ReactionKind.Transition or ReactionKind.Internal => r.Guard is null,
                ReactionKind.Handler => r.HandlerReturnsVoid,
                _ => true,
            };
            if (always)
            {
                unconditional.Add(r.Event);
            }
        }
    }

    private void CheckMachine()
    {
        foreach (var state in _states)
        {
            switch (state.Kind)
            {
                case VertexKind.Choice:
                    CheckChoice(state);
                    break;
                case VertexKind.Final:
                    if (state.Children.Count > 0 || state.RegionSlots.Count > 0)
                    {
                        Report(DiagnosticDescriptors.InvalidFinalState, state.Symbol, state.Name, "cannot have substates or regions");
                    }
                    else if (state.Reactions.Count > 0)
                    {
                        Report(DiagnosticDescriptors.InvalidFinalState, state.Symbol, state.Name, "cannot react to events: a final state has no outgoing transitions");
                    }

                    break;
            }
        }

        CheckDeferrals();
        if (!_hasErrors && !_hasDynamicTargets)
        {
            CheckReachability();
        }
    }

    private void CheckChoice(StateBuilder choice)
    {
        if (choice.Children.Count > 0 || choice.RegionSlots.Count > 0)
        {
            Report(DiagnosticDescriptors.InvalidChoice, choice.Symbol, choice.Name, "cannot have substates; it only selects a target");
        }
        else if (choice.Reactions.Count > 0 || choice.Entry is not null || choice.Exit is not null)
        {
            Report(DiagnosticDescriptors.InvalidChoice, choice.Symbol, choice.Name, "cannot have entry or exit actions or react to events; it is a pseudostate, never active");
        }
        else if (!choice.Branches.Any(b => b.Guard is null))
        {
            Report(DiagnosticDescriptors.ChoiceWithoutElse, choice.Symbol, choice.Name);
        }
        else if (LeadsBackTo(choice.Id, choice.Id, new HashSet<int>()))
        {
            Report(DiagnosticDescriptors.InvalidChoice, choice.Symbol, choice.Name, "has branches that lead back to itself through other choices; every chain of choices must end in a state");
        }
    }

    private bool LeadsBackTo(int start, int current, HashSet<int> seen)
    {
        foreach (var branch in _states[current].Branches)
        {
            var next = _states[branch.Target];
            if (next.Kind != VertexKind.Choice || branch.TargetKind != TargetKind.State)
            {
                continue;
            }

            if (next.Id == start || (seen.Add(next.Id) && LeadsBackTo(start, next.Id, seen)))
            {
                return true;
            }
        }

        return false;
    }

    private void CheckDeferrals()
    {
        var handled = new HashSet<int>(_states.SelectMany(s => s.Reactions).Where(r => r.Kind != ReactionKind.Defer).Select(r => r.Event));
        foreach (var state in _states)
        {
            for (var i = 0; i < state.Reactions.Count; i++)
            {
                var r = state.Reactions[i];
                if (r.Kind == ReactionKind.Defer && !handled.Contains(r.Event))
                {
                    Report(DiagnosticDescriptors.DeferredNeverHandled, state.ReactionLocations[i], state.Name, _events[r.Event].Name);
                }
            }
        }
    }

    /// <summary>A state is reachable when default entry, a transition, a handler's Goto, a choice branch or a history default
    /// can enter it (or a substate of it) starting from the machine's initial configuration.</summary>
    private void CheckReachability()
    {
        var reached = new HashSet<int> { 0 };
        var work = new Stack<int>();
        work.Push(0);

        void Enter(int id)
        {
            // Entering a state enters all its ancestors too.
            for (var s = id; s > 0; s = _states[s].Parent)
            {
                if (reached.Add(s))
                {
                    work.Push(s);
                }
            }
        }

        while (work.Count > 0)
        {
            var s = _states[work.Pop()];
            if (s.Initial != 0)
            {
                Enter(s.Initial);
            }

            foreach (var slot in s.RegionSlots)
            {
                if (_slots[slot].Initial != 0)
                {
                    Enter(_slots[slot].Initial);
                }
            }

            if (s.HistoryDefault != 0)
            {
                Enter(s.HistoryDefault);
            }

            foreach (var r in s.Reactions)
            {
                if (r.Target != 0)
                {
                    Enter(r.Target);
                }

                foreach (var t in r.HandlerTargets)
                {
                    Enter(t / 2);
                }
            }

            foreach (var b in s.Branches)
            {
                Enter(b.Target);
            }
        }

        foreach (var state in _states)
        {
            if (!reached.Contains(state.Id))
            {
                Report(DiagnosticDescriptors.UnreachableState, state.Symbol, state.Name);
            }
        }
    }
}
