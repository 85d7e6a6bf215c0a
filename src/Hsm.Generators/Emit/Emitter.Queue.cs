using System.Linq;
using Hsm.Generators.Model;

namespace Hsm.Generators.Emit;

/// <summary>The run-to-completion machinery: an event union (no boxing of struct events), the bounded queues for events raised
/// during a step, re-dispatched events, deferred events and completion events, and the drain loop.</summary>
internal sealed partial class Emitter
{
    private const string Queue = "global::Hsm.Runtime.EventQueue";

    private void EmitQueues()
    {
        _w.Line();
        _w.Line("/// <summary>One queued event of any type the machine handles (a tagged union; struct events are stored unboxed).</summary>");
        _w.Open("private struct __Event");
        _w.Line("public int Tag;");
        foreach (var e in M.Events)
        {
            _w.Line($"public {e.TypeName} {e.Field};");
        }

        _w.Close();
        _w.Line($"private {Queue}<__Event> __queue = null!;");
        _w.Line($"private {Queue}<__Event> __next = null!;");
        if (_hasDeferrals)
        {
            _w.Line($"private {Queue}<__Event> __deferred = null!;");
        }

        if (_hasCompletions)
        {
            _w.Line($"private {Queue}<int> __completions = null!;");
        }

        _w.Line();
        if (_hasDeferrals)
        {
            _w.Line($"private {Queue}<__Event> __recall = null!; // deferred events being offered again, oldest first");
            _w.Line("private bool __transitioned; // the configuration changed in this run: deferred events are offered again");
        }

        foreach (var e in M.Events)
        {
            _w.Line();
            _w.Open($"private void __Enqueue_{e.Index}(in {e.TypeName} e, bool next)");
            _w.Line($"var ev = new __Event {{ Tag = {e.Index}, {e.Field} = e }};");
            _w.Line($"if (!(next ? __next : __queue).TryPushBack(in ev)) throw new global::Hsm.HsmQueueFullException({Literal(M.Name)}, \"run-to-completion\", __queue.Capacity, {Literal(e.Name)});");
            _w.Line("__pending++;");
            _w.Close();
            if (IsDeferred(e.Index))
            {
                _w.Line();
                _w.Open($"private void __Defer_{e.Index}(in {e.TypeName} e)");
                _w.Line($"if (__deferred.Count + __recall.Count >= {M.DeferredCapacity}) throw new global::Hsm.HsmQueueFullException({Literal(M.Name)}, \"deferred\", {M.DeferredCapacity}, {Literal(e.Name)});");
                _w.Line($"__deferred.TryPushBack(new __Event {{ Tag = {e.Index}, {e.Field} = e }});");
                _w.Line("if (__observer != null) __ObsDeferred(in e);");
                _w.Close();
            }
        }

        EmitDrain();

        _w.Line();
        _w.Line("/// <summary>After user code threw: queued events and completions are discarded; deferred events (recalled or not) stay deferred.</summary>");
        _w.Open("private void __ClearQueues()");
        _w.Line("if (__queue == null) return;");
        _w.Line("__queue.Clear();");
        _w.Line("__next.Clear();");
        if (_hasCompletions)
        {
            _w.Line("__completions.Clear();");
        }

        if (_hasDeferrals)
        {
            _w.Line("for (var i = __recall.Count - 1; i >= 0; i--) __deferred.TryPushFront(__recall[i]);");
            _w.Line("__recall.Clear();");
            _w.Line("__transitioned = false;");
        }

        _w.Line("__pending = 0;");
        _w.Line("__currentEvent = -1;");
        _w.Close();
    }

    private void EmitDrain()
    {
        _w.Line();
        _w.Line("/// <summary>Runs what the step left to do: completion events first (UML gives them priority), then re-dispatched events,");
        _w.Line("/// then deferred events recalled by a configuration change (in arrival order), then events raised by actions.</summary>");
        _w.Open("private void __Drain()");
        _w.Open("while (true)");
        if (_hasCompletions)
        {
            _w.Open("if (__completions.Count != 0)");
            _w.Line("__pending--;");
            _w.Line("var __state = __completions.PopFront();");
            _w.Line(Either("__Complete", "__state"));
            _w.Line("continue;");
            _w.Close();
        }

        if (_hasDeferrals)
        {
            _w.Open("if (__transitioned)");
            _w.Line("__transitioned = false;");
            _w.Line("// Recalled events go before those recalled earlier and not yet offered: the deferred ones arrived first.");
            _w.Line("for (var i = __deferred.Count - 1; i >= 0; i--) __recall.TryPushFront(__deferred[i]);");
            _w.Line("__deferred.Clear();");
            _w.Close();
        }

        _w.Line("__Event ev;");
        _w.Line("if (__next.Count != 0) { ev = __next.PopFront(); __pending--; }");
        if (_hasDeferrals)
        {
            _w.Line("else if (__recall.Count != 0) ev = __recall.PopFront();");
        }

        _w.Line("else if (__queue.Count != 0) { ev = __queue.PopFront(); __pending--; }");
        _w.Line("else break;");
        _w.Line("__currentEvent = ev.Tag;");
        _w.Open("switch (ev.Tag)");
        foreach (var e in M.Events)
        {
            _w.Line($"case {e.Index}: __StepQueued_{e.Index}(in ev.{e.Field}); break;");
        }

        _w.Close();
        _w.Close();
        _w.Line("__currentEvent = -1;");
        _w.Close();
    }

    private void EmitCompletion()
    {
        if (!_hasCompletions)
        {
            return;
        }

        if (!_observed)
        {
            _w.Line();
            _w.Open("private void __PushCompletion(int state)");
            _w.Line($"if (!__completions.TryPushBack(state)) throw new global::Hsm.HsmQueueFullException({Literal(M.Name)}, \"completion\", __completions.Capacity, \"Completion\");");
            _w.Line("__pending++;");
            _w.Close();
        }

        _w.Line();
        _w.Line("/// <summary>Takes the first enabled completion transition of a state that finished (still active).</summary>");
        _w.Open($"private void __Complete{_o}(int state)");
        _w.Line("if (!__IsActive(state)) return;");
        _w.Line("__currentEvent = -2;");
        _w.Open("switch (state)");
        foreach (var s in M.States.Where(HasCompletion))
        {
            _w.Open($"case {s.Id}: // {s.Path}");
            foreach (var r in s.Reactions.Where(r => r.Event < 0))
            {
                if (r.Guard is not null)
                {
                    OpenGuard(r.Guard, null, s.Id);
                }
                else
                {
                    _w.Open();
                }

                if (r.Kind == ReactionKind.Internal)
                {
                    if (r.Action is not null)
                    {
                        EmitCall(r.Action, HsmActionKindAction, null);
                    }
                }
                else
                {
                    EmitTransition(s.Id, s.Kind == VertexKind.Simple ? s.Id : null, r.Target, r.TargetKind, r.Local, r.Action, null);
                }

                _w.Line("return;");
                _w.Close();
            }

            _w.Line("return;");
            _w.Close();
        }

        _w.Close();
        _w.Close();
    }
}
