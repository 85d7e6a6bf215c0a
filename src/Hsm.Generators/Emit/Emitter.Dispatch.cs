using System.Collections.Generic;
using System.Linq;
using Hsm.Generators.Model;

namespace Hsm.Generators.Emit;

/// <summary>Public dispatch entry points and the per-region dispatch switches.</summary>
internal sealed partial class Emitter
{
    private void EmitPublicDispatch()
    {
        foreach (var e in M.Events)
        {
            _w.Line();
            _w.Line($"/// <summary>Processes a <c>{e.Name}</c> event to completion (or queues it when called from inside an action).</summary>");
            // Inlined into the caller, like a hand-written switch would be: that is what the guarded run's filter allows.
            _w.Line(Inline);
            _w.Open($"public void Dispatch(in {e.TypeName} e)");
            _w.Open("if (__gate != 0)");
            // By value: passing the address would make the caller materialise the event on the stack on every dispatch.
            _w.Line($"__DispatchSlow_{e.Index}(e);");
            _w.Line("return;");
            _w.Close();
            // Every path works on a copy of the event taken here, as the queued and observed paths must: user code that
            // changes what the caller's reference points to does not change the event being processed.
            _w.Line("var __e = e;");
            if (_trivialEvents[e.Index])
            {
                // Every piece of user code this event can run was proven unable to throw or to call anything (ADR 0007): it
                // cannot re-enter the machine, fault half-way, or leave work queued, so the step needs no guarded run.
                _w.Line($"__D{e.Index}_S0(in __e);");
            }
            else
            {
                EmitGuardedRun(UnobservedStep(e, "__e"), Literal(e.Name), idle: true);
            }

            _w.Close();

            _w.Line();
            _w.Line("/// <summary>Dispatch while a run is in progress (the event is queued) or while an observer is attached.</summary>");
            _w.Line(NoInline);
            _w.Open($"private void __DispatchSlow_{e.Index}({e.TypeName} e)");
            _w.Open("if ((__gate & 1) != 0)");
            _w.Line($"__Enqueue_{e.Index}(in e, false);");
            _w.Line("return;");
            _w.Close();
            _w.Line("if ((__gate & 4) != 0) throw __NoActiveState();");
            EmitGuardedRun($"__Step_{e.Index}(in e);", Literal(e.Name), idle: false);
            _w.Close();

            _w.Line();
            _w.Line($"/// <summary>From inside an action: processes this <c>{e.Name}</c> right after the current step, before other queued events");
            _w.Line("/// (re-dispatch, e.g. after changing state). Outside an action it is the same as <c>Dispatch</c>.</summary>");
            _w.Open($"public void DispatchNext(in {e.TypeName} e)");
            _w.Open("if ((__gate & 1) != 0)");
            _w.Line($"__Enqueue_{e.Index}(in e, true);");
            _w.Line("return;");
            _w.Close();
            _w.Line("Dispatch(in e);");
            _w.Close();

            // The step is inlined into Dispatch (one call on the hot path); queued events go through a separate copy so the
            // drain loop does not grow with every event's dispatch code.
            _w.Line();
            _w.Line(NoInline);
            _w.Line($"private void __StepQueued_{e.Index}(in {e.TypeName} e) => __Step_{e.Index}(in e);");
            // One observer test on the hot path; the observed step (hooks, unhandled report) is a separate, cold method.
            _w.Line();
            _w.Line(Inline);
            _w.Open($"private void __Step_{e.Index}(in {e.TypeName} e)");
            _w.Open("if (__observer != null)");
            _w.Line($"__StepObserved_{e.Index}(in e);");
            _w.Line("return;");
            _w.Close();
            _w.Line(UnobservedStep(e));
            _w.Close();

            _w.Line();
            _w.Line(NoInline);
            _w.Open($"private void __StepObserved_{e.Index}(in {e.TypeName} e)");
            _w.Line("__ObsDispatch(in e);");
            _w.Line($"var __result = __D{e.Index}_S0__o(in e);");
            if (IsDeferred(e.Index))
            {
                _w.Line($"if (__result == {Deferred}) __Defer_{e.Index}(in e);");
            }

            _w.Line($"if (__result == {Unhandled} && __observer != null) __ObsUnhandled(in e);");
            _w.Close();
        }
    }

    /// <summary>Runs a step with the busy flag set, drains the queue, and turns exceptions from user code into
    /// <see cref="Hsm.HsmActionException"/> naming the state and event. Written so that the JIT can inline it: the .NET 10 JIT
    /// inlines methods whose handlers are exception filters and finally blocks, but not methods with a typed catch clause or a
    /// rethrow (docs/adr/0006). So the handler is a filter that lets the machine's own <see cref="Hsm.HsmException"/>s, a
    /// nested machine's included, pass unchanged (the handler still runs after inner finally blocks, as a catch would), and
    /// the finally block recognises a fault by the busy flag still being set: the normal path clears it last in the try
    /// block. A fault discards the queued work.</summary>
    /// <param name="idle">The gate is known to be 0 (Dispatch's fast path): setting it is a store, not a read-modify-write.</param>
    private void EmitGuardedRun(string step, string eventName, bool idle)
    {
        _w.Line(idle ? "__gate = 1;" : "__gate |= 1;");
        _w.Open("try");
        _w.Line(step);
        _w.Line(_hasDeferrals ? "if (__pending != 0 || __transitioned) __Drain();" : "if (__pending != 0) __Drain();");
        // Clears only the busy bit: an action may have attached an observer.
        _w.Line("__gate &= ~1;");
        _w.Close();
        _w.Open("catch (global::System.Exception ex) when (__Caught(ex))");
        _w.Line($"throw __Fault({eventName});");
        _w.Close();
        _w.Open("finally");
        _w.Line("if ((__gate & 1) != 0) __Abort();");
        _w.Close();
    }

    /// <summary>The step of <paramref name="e"/> with no observer attached: the top region's dispatch, then deferral.</summary>
    private string UnobservedStep(EventModel e, string variable = "e") => IsDeferred(e.Index)
        ? $"if (__D{e.Index}_S0(in {variable}) == {Deferred}) __Defer_{e.Index}(in {variable});"
        : $"__D{e.Index}_S0(in {variable});";

    /// <summary>True when dispatching <paramref name="e"/> with no observer attached runs only trivial user code (no throw, no
    /// call: <c>Parsing/TrivialBodies</c>) and the machine's own code cannot queue work (no deferred events, no completion
    /// transitions). Such a step needs no busy flag, no drain and no exception handling: nothing in it can dispatch, throw
    /// or leave a queued event behind. Handlers are never trivial (they return a result built by a call).</summary>
    private bool StepIsTrivial(EventModel e)
    {
        if (_hasDeferrals || _hasCompletions)
        {
            return false;
        }

        var reactions = M.States.SelectMany(s => s.Reactions).Where(r => r.Event == e.Index).ToList();
        if (reactions.Any(r => r.Kind is not (ReactionKind.Internal or ReactionKind.Transition) ||
                               r.Guard is { Trivial: false } || r.Action is { Trivial: false }))
        {
            return false;
        }

        // A transition may exit and enter any state and pass through any choice: all of their user code must be trivial too.
        return reactions.All(r => r.Kind == ReactionKind.Internal) ||
               M.States.All(s => s.Entry is not { Trivial: false } && s.Exit is not { Trivial: false } &&
                                 s.Branches.All(b => b.Guard is not { Trivial: false } && b.Action is not { Trivial: false }));
    }

    /// <summary>One dispatch method per event and region slot: a <c>switch</c> over the slot's active state whose cases hold the
    /// reactions of that state and its ancestors (within the slot) in priority order. It returns <see cref="Unhandled"/>,
    /// <see cref="Consumed"/> or <see cref="Deferred"/>; deferral is decided by the caller so that a region deferring an event
    /// does not stop another region from consuming it.</summary>
    private void EmitSlotDispatchers()
    {
        foreach (var e in M.Events)
        {
            _trivialStep = !_observed && !M.HasRegions && _trivialEvents[e.Index];
            foreach (var slot in M.Slots)
            {
                var cases = RealStates.Where(s => s.Slot == slot.Index)
                    .Select(x => (State: x, Candidates: Candidates(e, slot, x), Regions: x.Kind == VertexKind.Orthogonal && RegionsReact(x, e.Index)))
                    .Where(c => c.Candidates.Count > 0 || c.Regions)
                    .ToList();
                if (cases.Count == 0 && slot.Index != 0)
                {
                    continue;
                }

                _w.Line();
                var start = _w.Position;
                var largestCase = 0;
                _w.Open($"private int __D{e.Index}_S{slot.Index}{_o}(in {e.TypeName} e)");
                // In the unobserved code of a machine without regions the gate guarantees an active state: when every state
                // that can be active has a case, the code need not handle any other value of the active-state field.
                var coversEveryState = slot.Index == 0 && !_observed && !M.HasRegions && cases.Count == RealStates.Count(s => s.Slot == 0);
                if (coversEveryState && IsUniform(cases))
                {
                    // Every state that can be active reacts with the same internal reactions, inherited from a common
                    // ancestor: no switch over the active state. The gate's bit 4 sends Dispatch to the slow path when there
                    // is no active state, so this code never runs without one.
                    var caseStart = _w.Position;
                    _w.Line($"// The same in every state: {string.Join(", ", cases[0].Candidates.Select(c => c.Owner.Path))}");
                    foreach (var (owner, reaction) in cases[0].Candidates)
                    {
                        EmitReaction(owner, cases[0].State.Id, reaction, "e");
                    }

                    largestCase = CallsIn(_w.Since(caseStart));
                    _w.Line($"return {Unhandled};");
                    _w.Close();
                    _w.InsertLine(start, StepInlining(largestCase));
                    continue;
                }

                _w.Open($"switch (__a{slot.Index})");
                // Then the last case can be the default: one compare fewer is a third of a two-state machine's dispatch.
                var lastIsDefault = coversEveryState && cases.Count >= 2;
                foreach (var c in cases)
                {
                    var caseStart = _w.Position;
                    EmitDispatchCase(e, slot, c.State, c.Candidates, c.Regions, lastIsDefault && c.State == cases[cases.Count - 1].State);
                    largestCase = System.Math.Max(largestCase, CallsIn(_w.Since(caseStart)));
                }

                _w.Close();
                if (slot.Index == 0)
                {
                    // Tested after the switch, not as its case 0: two or three cases compile to compares, not a jump table.
                    _w.Line($"if (__a0 == 0) throw __NoActiveState();");
                }

                _w.Line($"return {Unhandled};");
                _w.Close();
                if (slot.Index == 0 && !_observed)
                {
                    // Called from the step only, which Dispatch inlines into its caller. A step with more calls than this stays
                    // out of line: there the machine reference lives in a register, while inlined into a caller's loop the
                    // JIT keeps it on the stack (it is live into the guarded run's handlers) and reloads it for every call.
                    _w.InsertLine(start, StepInlining(largestCase));
                }
            }
        }

        _trivialStep = false;
    }

    /// <summary>True when the top region's dispatch needs no switch: the cases (one for every state that can be active:
    /// simple, final and, after a fault, composite) all list the same internal reactions of the same states. Transitions
    /// depend on the active state (what to exit), so they never qualify.</summary>
    private static bool IsUniform(List<(StateModel State, List<(StateModel Owner, ReactionModel Reaction)> Candidates, bool Regions)> cases)
    {
        if (cases.Count == 0)
        {
            return false;
        }

        var first = cases[0].Candidates;
        return first.Count > 0 && first.All(c => c.Reaction.Kind == ReactionKind.Internal) &&
               cases.All(c => !c.Regions && c.Candidates.Count == first.Count &&
                              c.Candidates.Select(x => (x.Owner.Id, x.Reaction)).SequenceEqual(first.Select(x => (x.Owner.Id, x.Reaction))));
    }

    /// <summary>The most exits, entries and user calls written in one case of a step (on all its guarded branches) for the step
    /// to be inlined into the caller of Dispatch. Cases 1-4 of the benchmark have up to 6; the 5-level cousin transition has 8.</summary>
    private const int InlinedStepCalls = 6;

    /// <summary>The same limit for a trivial step, which Dispatch runs without the guarded run: with no exception handler the
    /// machine reference stays in a register, so only code size limits it.</summary>
    private const int InlinedTrivialStepCalls = 16;

    /// <summary>The inlining attribute of a top-region step whose largest case makes <paramref name="calls"/> calls.</summary>
    private string StepInlining(int calls) => calls <= (_trivialStep ? InlinedTrivialStepCalls : InlinedStepCalls) ? Inline : NoInline;

    private static int CallsIn(string code) =>
        new[] { "__Exit_", "__Enter_", "__Init_", "__where = " }.Sum(p => Occurrences(code, p));

    private static int Occurrences(string text, string pattern)
    {
        var n = 0;
        for (var i = text.IndexOf(pattern, System.StringComparison.Ordinal); i >= 0; i = text.IndexOf(pattern, i + pattern.Length, System.StringComparison.Ordinal))
        {
            n++;
        }

        return n;
    }

    private const int Unhandled = 0;
    private const int Consumed = 1;
    private const int Deferred = 2;

    /// <summary>The reactions to <paramref name="e"/> of <paramref name="x"/> and its ancestors within the slot (plus the machine's
    /// own for the top slot), in the order they are tried: innermost state first, declaration order within a state. The list
    /// ends at the first reaction that always consumes (or defers) the event, since later ones could never run. A final state of
    /// the top region has none: the machine has terminated.</summary>
    private List<(StateModel Owner, ReactionModel Reaction)> Candidates(EventModel e, SlotModel slot, StateModel x)
    {
        var candidates = new List<(StateModel Owner, ReactionModel Reaction)>();
        if (x.Kind == VertexKind.Final && x.Parent == 0)
        {
            return candidates;
        }

        for (var y = x.Id; y >= 0 && (y == 0 ? slot.Index == 0 : S(y).Slot == slot.Index); y = S(y).Parent)
        {
            foreach (var r in S(y).Reactions.Where(r => r.Event == e.Index))
            {
                candidates.Add((S(y), r));
                if (AlwaysConsumes(r))
                {
                    return candidates;
                }
            }

            if (y == 0)
            {
                break;
            }
        }

        return candidates;
    }

    private static bool AlwaysConsumes(ReactionModel r) => r.Kind switch
    {
        ReactionKind.Transition or ReactionKind.Internal => r.Guard is null,
        ReactionKind.Handler => r.HandlerReturnsVoid,
        _ => true,
    };

    private void EmitDispatchCase(EventModel e, SlotModel slot, StateModel x, List<(StateModel Owner, ReactionModel Reaction)> candidates, bool regionsHandle, bool asDefault)
    {
        _w.Open(asDefault ? $"default: // {x.Path} (every other state has a case above)" : $"case {x.Id}: // {x.Path}");
        if (regionsHandle)
        {
            EmitRegionOffers(e, slot, x);
        }

        foreach (var (owner, reaction) in candidates)
        {
            EmitReaction(owner, x.Id, reaction, "e");
        }

        if (candidates.Count == 0 || !AlwaysConsumes(candidates[candidates.Count - 1].Reaction))
        {
            _w.Line($"return {Unhandled};");
        }

        _w.Close();
    }

    /// <summary>Offers the event to every region of an orthogonal state in document order. A region that consumed the event
    /// and thereby left the orthogonal state (or left and re-entered it, which bumps its entry epoch) ends the offer: the
    /// remaining regions belong to a configuration that no longer exists. A region's deferral counts only when no region
    /// consumes the event; either way the orthogonal state's own reactions and its ancestors' are not tried.</summary>
    private void EmitRegionOffers(EventModel e, SlotModel slot, StateModel x)
    {
        var reacting = x.RegionSlots.Where(r => M.Slots[r].First <= M.Slots[r].Last && SlotReacts(r, e.Index)).ToList();
        _w.Line($"var __epoch = __epoch{x.Id};");
        _w.Line($"var __offer = {Unhandled};");
        foreach (var r in reacting)
        {
            _w.Line($"var __o{r} = __D{e.Index}_S{r}{_o}(in e);");
            _w.Line($"if (__o{r} == {Consumed} && (__a{slot.Index} != {x.Id} || __epoch{x.Id} != __epoch)) return {Consumed};");
            _w.Line($"__offer |= __o{r};");
        }

        _w.Line($"if (__offer != {Unhandled}) return (__offer & {Consumed}) != 0 ? {Consumed} : {Deferred};");
    }

    private bool RegionsReact(StateModel orthogonal, int eventIndex) =>
        M.States.Where(s => s.Id > orthogonal.Id && s.Id <= orthogonal.LastDescendant)
            .Any(s => s.Reactions.Any(r => r.Event == eventIndex));

    private bool SlotReacts(int slot, int eventIndex) =>
        M.States.Where(s => s.Id >= M.Slots[slot].First && s.Id <= M.Slots[slot].Last)
            .Any(s => s.Reactions.Any(r => r.Event == eventIndex));

    private bool IsDeferred(int eventIndex) => M.States.Any(s => s.Reactions.Any(r => r.Kind == ReactionKind.Defer && r.Event == eventIndex));

    /// <summary>One reaction of <paramref name="owner"/> while <paramref name="leaf"/> is the active state; returns from the
    /// dispatch method when the event is consumed, falls through (to the next candidate) otherwise.</summary>
    private void EmitReaction(StateModel owner, int? leaf, ReactionModel r, string? eventArg)
    {
        switch (r.Kind)
        {
            case ReactionKind.Defer:
                _w.Line($"return {Deferred};");
                break;

            case ReactionKind.Internal:
            case ReactionKind.Transition:
                var guarded = r.Guard is not null;
                if (guarded)
                {
                    OpenGuard(r.Guard!, eventArg, owner.Id);
                }
                else
                {
                    _w.Open();
                }

                if (r.Kind == ReactionKind.Internal)
                {
                    if (r.Action is not null)
                    {
                        EmitCall(r.Action, HsmActionKindAction, eventArg);
                    }
                }
                else
                {
                    EmitTransition(owner.Id, leaf, r.Target, r.TargetKind, r.Local, r.Action, eventArg);
                }

                _w.Line($"return {Consumed};");
                _w.Close();
                break;

            case ReactionKind.Handler:
                EmitHandler(owner, leaf, r);
                break;
        }
    }

    private void EmitHandler(StateModel owner, int? leaf, ReactionModel r)
    {
        _w.Open();
        _w.Line($"__where = {(owner.Id << 3) | HsmActionKindHandler};");
        if (r.HandlerReturnsVoid)
        {
            _w.Line($"{Call(owner.Id, r.Handler!)}(e);");
            _w.Line($"return {Consumed};");
            _w.Close();
            return;
        }

        _w.Line($"var __r = {Call(owner.Id, r.Handler!)}(e).RawValue;");
        _w.Line($"if (__r == 1) return {Consumed};");
        _w.Open("if (__r != 0)");
        _w.Open("switch (__r)");
        foreach (var encoded in r.HandlerTargets)
        {
            var target = encoded / 2;
            var local = (encoded & 1) == 1;
            _w.Open($"case {(target << 3) | (local ? 6 : 2)}: // {(local ? "local " : "")}{S(target).Path}");
            EmitTransition(owner.Id, leaf, target, TargetKind.State, local, null, "e");
            _w.Line($"return {Consumed};");
            _w.Close();
        }

        _w.Line("default:");
        _w.Line($"    __TransitionDynamic({owner.Id}, __r >> 3, (__r & 7) == 6);");
        _w.Line($"    return {Consumed};");
        _w.Close();
        _w.Close();
        _w.Close();
    }

    /// <summary>Writes a guard evaluation (reported to the observer) and opens <c>if (guard)</c>.</summary>
    private void OpenGuard(MethodRef guard, string? eventArg, int reportState)
    {
        var variable = "__g" + (++_guardCounter);
        Where(guard.Owner, HsmActionKindGuard, guard.Trivial);
        _w.Line($"var {variable} = {InlineOrCall(guard.Owner, guard.Name, guard.Inline, guard.TakesEvent ? eventArg : "")};");
        Hook($"if (__observer != null) __ObsGuard({reportState}, {Literal(guard.Name)}, {variable});");
        _w.Open($"if ({variable})");
    }

    /// <summary>Records which user code runs next, for <see cref="Hsm.HsmActionException"/>. Trivial code cannot throw, so it
    /// needs no record; the observed variant keeps it, since an observer's hook (user code) runs after the call.</summary>
    private void Where(int owner, int kind, bool trivial)
    {
        if (_observed || !trivial)
        {
            _w.Line($"__where = {(owner << 3) | kind};");
        }
    }

    private void EmitCall(MethodRef method, int kind, string? eventArg)
    {
        Where(method.Owner, kind, method.Trivial);
        _w.Line(CallStatement(method.Owner, method.Name, method.Inline, method.TakesEvent ? eventArg : ""));
    }

    /// <summary>A user method's body in place when the parser wrote it as machine code (<c>Parsing/InlineBodies</c>: an
    /// <c>unchecked</c> block, or a guard's <c>unchecked</c> expression), else the call expression. <paramref name="eventArg"/> is null when no event variable
    /// is in scope.</summary>
    private string InlineOrCall(int owner, string name, string? inline, string? eventArg)
    {
        if (inline is not null && (eventArg is not null || inline.IndexOf(Parsing.InlineBodies.EventArgument) < 0))
        {
            return inline.Replace(Parsing.InlineBodies.Receiver.ToString(), owner == 0 ? "this" : S(owner).Instance)
                         .Replace(Parsing.InlineBodies.EventArgument.ToString(), eventArg ?? "");
        }

        return $"{Call(owner, name)}({eventArg ?? ""})";
    }

    /// <summary><see cref="InlineOrCall"/> as a statement: the inlined block as it is, or the call with its semicolon.</summary>
    private string CallStatement(int owner, string name, string? inline, string? eventArg)
    {
        var code = InlineOrCall(owner, name, inline, eventArg);
        return code.EndsWith("}", System.StringComparison.Ordinal) ? code : code + ";";
    }
}
