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
            _w.Open($"public void Dispatch(in {e.TypeName} e)");
            _w.Open("if (__busy)");
            _w.Line($"__Enqueue_{e.Index}(in e, false);");
            _w.Line("return;");
            _w.Close();
            EmitGuardedRun($"__Step_{e.Index}(in e);", Literal(e.Name));
            _w.Close();

            _w.Line();
            _w.Line($"/// <summary>From inside an action: processes this <c>{e.Name}</c> right after the current step, before other queued events");
            _w.Line("/// (re-dispatch, e.g. after changing state). Outside an action it is the same as <c>Dispatch</c>.</summary>");
            _w.Open($"public void DispatchNext(in {e.TypeName} e)");
            _w.Open("if (__busy)");
            _w.Line($"__Enqueue_{e.Index}(in e, true);");
            _w.Line("return;");
            _w.Close();
            _w.Line("Dispatch(in e);");
            _w.Close();

            _w.Line();
            _w.Open($"private void __Step_{e.Index}(in {e.TypeName} e)");
            _w.Line("if (__observer != null) __observer.OnDispatch(this, e!);");
            _w.Open($"if (!__D{e.Index}_S0(in e) && __observer != null)");
            _w.Line("__observer.OnUnhandled(this, e!);");
            _w.Close();
            _w.Close();
        }
    }

    /// <summary>Runs a step with the busy flag set, drains the queue, and turns exceptions from user code into
    /// <see cref="Hsm.HsmActionException"/> naming the state and event.</summary>
    private void EmitGuardedRun(string step, string eventName)
    {
        _w.Line("__busy = true;");
        _w.Open("try");
        _w.Line(step);
        _w.Line("if (__HasPendingWork()) __Drain();");
        if (_hasDeferrals)
        {
            _w.Line("__transitioned = false;");
        }

        _w.Close();
        _w.Open("catch (global::System.Exception ex)");
        _w.Line("__ClearQueues();");
        _w.Line("if (ex is global::Hsm.HsmException) throw;");
        _w.Line($"throw __Fault(ex, {eventName});");
        _w.Close();
        _w.Open("finally");
        _w.Line("__busy = false;");
        _w.Line("__currentEvent = -1;");
        _w.Close();
    }

    private void EmitSlotDispatchers()
    {
        foreach (var e in M.Events)
        {
            foreach (var slot in M.Slots)
            {
                var cases = RealStates.Where(s => s.Slot == slot.Index)
                    .Select(x => (State: x, Candidates: Candidates(e, slot, x), Regions: x.Kind == VertexKind.Orthogonal && RegionsReact(x, e.Index)))
                    .Where(c => c.Candidates.Count > 0 || c.Regions)
                    .ToList();
                _w.Line();
                _w.Open($"private bool __D{e.Index}_S{slot.Index}(in {e.TypeName} e)");
                if (cases.Count > 0 || slot.Index == 0)
                {
                    _w.Open($"switch (__a{slot.Index})");
                    foreach (var c in cases)
                    {
                        EmitDispatchCase(e, slot, c.State, c.Candidates, c.Regions);
                    }

                    if (slot.Index == 0)
                    {
                        _w.Line("case 0:");
                        _w.Line("    throw __NotStarted();");
                    }

                    _w.Close();
                }

                _w.Line("return false;");
                _w.Close();
            }
        }
    }

    /// <summary>The reactions to <paramref name="e"/> of <paramref name="x"/> and its ancestors within the slot (plus the machine's
    /// own for the top slot), in the order they are tried: innermost state first, declaration order within a state.</summary>
    private List<(StateModel Owner, ReactionModel Reaction)> Candidates(EventModel e, SlotModel slot, StateModel x)
    {
        var candidates = new List<(StateModel Owner, ReactionModel Reaction)>();
        for (var y = x.Id; y >= 0 && (y == 0 ? slot.Index == 0 : S(y).Slot == slot.Index); y = S(y).Parent)
        {
            candidates.AddRange(S(y).Reactions.Where(r => r.Event == e.Index).Select(r => (S(y), r)));
            if (y == 0)
            {
                break;
            }
        }

        return candidates;
    }

    private void EmitDispatchCase(EventModel e, SlotModel slot, StateModel x, List<(StateModel Owner, ReactionModel Reaction)> candidates, bool regionsHandle)
    {
        _w.Open($"case {x.Id}: // {x.Path}");
        if (regionsHandle)
        {
            _w.Line("var __handled = false;");
            foreach (var r in x.RegionSlots)
            {
                _w.Open($"if (__D{e.Index}_S{r}(in e))");
                _w.Line("__handled = true;");
                _w.Line($"if (__a{slot.Index} != {x.Id}) return true;");
                _w.Close();
            }

            _w.Line("if (__handled) return true;");
        }

        foreach (var (owner, reaction) in candidates)
        {
            EmitReaction(owner, x.Id, reaction, "e");
        }

        _w.Line("return false;");
        _w.Close();
    }

    private bool RegionsReact(StateModel orthogonal, int eventIndex) =>
        M.States.Where(s => s.Id > orthogonal.Id && s.Id <= orthogonal.LastDescendant)
            .Any(s => s.Reactions.Any(r => r.Event == eventIndex));

    /// <summary>One reaction of <paramref name="owner"/> while <paramref name="leaf"/> is the active state; returns from the
    /// dispatch method when the event is consumed, falls through (to the next candidate) otherwise.</summary>
    private void EmitReaction(StateModel owner, int? leaf, ReactionModel r, string? eventArg)
    {
        switch (r.Kind)
        {
            case ReactionKind.Defer:
                _w.Line($"__Defer_{r.Event}(in e);");
                _w.Line("return true;");
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
                        EmitCall(r.Action, HsmActionKindAction, eventArg, isGuard: false);
                    }
                }
                else
                {
                    EmitTransition(owner.Id, leaf, r.Target, r.TargetKind, r.Local, r.Action, eventArg);
                }

                _w.Line("return true;");
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
            _w.Line("return true;");
            _w.Close();
            return;
        }

        _w.Line($"var __r = {Call(owner.Id, r.Handler!)}(e);");
        _w.Line("if (__r.RawValue == 1) return true;");
        _w.Open("if (__r.RawValue != 0)");
        _w.Open("switch (__r.RawValue)");
        foreach (var encoded in r.HandlerTargets)
        {
            var target = encoded / 2;
            var local = (encoded & 1) == 1;
            _w.Open($"case {(target << 3) | (local ? 6 : 2)}: // {(local ? "local " : "")}{S(target).Path}");
            EmitTransition(owner.Id, leaf, target, TargetKind.State, local, null, "e");
            _w.Line("return true;");
            _w.Close();
        }

        _w.Line("default:");
        _w.Line($"    __TransitionDynamic({owner.Id}, __r.TargetStateId, __r.IsLocal);");
        _w.Line("    return true;");
        _w.Close();
        _w.Close();
        _w.Close();
    }

    /// <summary>Writes a guard evaluation (reported to the observer) and opens <c>if (guard)</c>.</summary>
    private void OpenGuard(MethodRef guard, string? eventArg, int reportState)
    {
        var variable = "__g" + (++_guardCounter);
        _w.Line($"__where = {(guard.Owner << 3) | HsmActionKindGuard};");
        _w.Line($"var {variable} = {Call(guard.Owner, guard.Name)}({(guard.TakesEvent && eventArg is not null ? eventArg : "")});");
        _w.Line($"if (__observer != null) __observer.OnGuard(this, {reportState}, {Literal(guard.Name)}, {variable});");
        _w.Open($"if ({variable})");
    }

    private void EmitCall(MethodRef method, int kind, string? eventArg, bool isGuard)
    {
        _ = isGuard;
        _w.Line($"__where = {(method.Owner << 3) | kind};");
        _w.Line($"{Call(method.Owner, method.Name)}({(method.TakesEvent && eventArg is not null ? eventArg : "")});");
    }
}
