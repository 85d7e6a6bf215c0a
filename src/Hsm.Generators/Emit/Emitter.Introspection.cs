using System.Linq;
using Hsm.Generators.Model;

namespace Hsm.Generators.Emit;

/// <summary>Start-up, metadata (state tables, Mermaid diagram), <c>IsIn</c>, generic dispatch, error reporting, and capturing
/// and restoring the configuration.</summary>
internal sealed partial class Emitter
{
    private void EmitMetadata()
    {
        _w.Line("/// <summary>This machine as a Mermaid <c>stateDiagram-v2</c>.</summary>");
        _w.Line("public const string MermaidDiagram = " + Literal(MermaidWriter.Write(M)) + ";");
        _w.Line();
        _w.Line("private static readonly global::Hsm.MachineInfo __info = new global::Hsm.MachineInfo(");
        _w.Line("    " + Literal(M.Name) + ",");
        _w.Line("    new global::Hsm.StateInfo[]");
        _w.Line("    {");
        foreach (var s in M.States)
        {
            var kind = s.Kind switch
            {
                VertexKind.Simple => "Simple",
                VertexKind.Orthogonal => "Orthogonal",
                VertexKind.Final => "Final",
                VertexKind.Choice => "Choice",
                _ => "Composite",
            };
            var region = s.RegionName is null ? "null" : Literal(s.RegionName);
            _w.Line($"        new global::Hsm.StateInfo({s.Id}, {Literal(s.Name)}, {Literal(s.Path)}, {(s.Parent < 0 ? 0 : s.Parent)}, global::Hsm.StateKind.{kind}, {region}),");
        }

        _w.Line("    },");
        _w.Line("    new string[] { " + string.Join(", ", M.Events.Select(e => Literal(e.Name))) + " },");
        _w.Line("    MermaidDiagram);");
        _w.Line();
        _w.Line("/// <summary>The static description of this machine: its states, parents, kinds and events.</summary>");
        _w.Line("public static global::Hsm.MachineInfo StateMachineInfo => __info;");
        _w.Line("global::Hsm.MachineInfo global::Hsm.IStateMachine.Info => __info;");
    }

    private void EmitLifecycle()
    {
        _w.Line();
        _w.Line("/// <summary>True once <see cref=\"Start\"/> (or a configuration restore) ran.</summary>");
        _w.Line("public bool IsStarted => __started;");
        _w.Line("/// <summary>True when the top region reached a final state.</summary>");
        _w.Line("public bool IsTerminated => __terminated;");
        _w.Line("/// <summary>Receives every dispatch, guard, exit, entry and transition; null costs nothing.</summary>");
        _w.Line("public global::Hsm.IHsmObserver? Observer");
        _w.Line("{");
        _w.Line("    get => __observer;");
        _w.Line("    set { __observer = value; if (value != null) __gate |= 2; else __gate &= ~2; }");
        _w.Line("}");
        _w.Line();
        _w.Line("/// <summary>Enters the initial configuration, running entry actions. Call once before dispatching events.</summary>");
        _w.Open("public void Start()");
        _w.Open("if (__started)");
        _w.Line($"throw new global::System.InvalidOperationException(\"State machine '{M.Name}' is already started; Start() runs once per instance.\");");
        _w.Close();
        _w.Line("__CreateStates();");
        _w.Line("__started = true;");
        EmitGuardedRun(Either("__InitSlot_0") + " __gate &= ~4;", "null", idle: false);
        _w.Close();

        _w.Line();
        _w.Open("private void __CreateStates()");
        _w.Line("if (__queue != null) return;");
        _w.Line($"__queue = new {Queue}<__Event>({M.QueueCapacity});");
        _w.Line($"__next = new {Queue}<__Event>({M.QueueCapacity});");
        if (_hasDeferrals)
        {
            _w.Line($"__deferred = new {Queue}<__Event>({M.DeferredCapacity});");
            _w.Line($"__recall = new {Queue}<__Event>({M.DeferredCapacity});");
        }

        if (_hasCompletions)
        {
            _w.Line($"__completions = new {Queue}<int>({M.QueueCapacity});");
        }

        foreach (var s in M.States.Skip(1))
        {
            _w.Line($"{s.Instance} = new {s.TypeName}();");
            _w.Line($"{s.Instance}.__Attach(this);");
        }

        _w.Close();

        _w.Line();
        _w.Line("private global::Hsm.HsmException __NoActiveState() => new global::Hsm.HsmException(__started");
        _w.Line($"    ? \"State machine '{M.Name}' has no active state: user code threw in the middle of a transition after every state was exited. Restore a configuration (RestoreConfiguration) or create a new machine.\"");
        _w.Line($"    : \"State machine '{M.Name}' has not been started: call Start() before dispatching events.\");");

        _w.Line();
        _w.Line("/// <summary>The exception filter of a run: true for an exception from user code, which it keeps for <see cref=\"__Fault\"/>;");
        _w.Line("/// false for the machine's own errors (a nested machine's included), which pass unchanged. Keeping the exception in a");
        _w.Line("/// field, not in a local read by the handler, spares every inlined Dispatch from clearing that local.</summary>");
        _w.Open("private bool __Caught(global::System.Exception ex)");
        _w.Line("if (ex is global::Hsm.HsmException) return false;");
        _w.Line("__cause = ex;");
        _w.Line("return true;");
        _w.Close();

        _w.Line();
        _w.Line("/// <summary>Called when user code threw during a run: discards queued work and returns the exception to throw.</summary>");
        _w.Line(NoInline);
        _w.Open("private global::Hsm.HsmActionException __Fault(string? eventName)");
        _w.Line("var ex = __cause!;");
        _w.Line("__cause = null;");
        _w.Line("var evt = __currentEvent == -2 ? \"Completion\" : __currentEvent >= 0 ? __info.EventTypes[__currentEvent] : eventName;");
        _w.Line("__ClearQueues();");
        _w.Line($"return new global::Hsm.HsmActionException({Literal(M.Name)}, __info.States[__where >> 3].Path, evt, (global::Hsm.HsmActionKind)(__where & 7), ex);");
        _w.Close();

        _w.Line();
        _w.Line("/// <summary>Ends a run that threw (user code or the machine's own error): the machine is idle again, its queued work discarded.</summary>");
        _w.Line(NoInline);
        _w.Open("private void __Abort()");
        _w.Line("__gate &= ~1;");
        _w.Line("if (__a0 == 0) __gate |= 4; else __gate &= ~4;");
        _w.Line("__ClearQueues();");
        _w.Close();
    }

    /// <summary>Observer calls live in out-of-line helpers: the hot path keeps only a null test per hook, and the interface
    /// call (and the boxing of struct events) stays out of the dispatch code, where it would cost registers and inlining.</summary>
    private void EmitObserverHelpers()
    {
        _w.Line();
        foreach (var (name, parameters, args) in new[]
                 {
                     ("Guard", "int state, string guard, bool result", "state, guard, result"),
                     ("Transition", "int source, int target", "source, target"),
                     ("Initial", "int state, int initial", "state, initial"),
                     ("Entry", "int state", "state"),
                     ("Exit", "int state", "state"),
                 })
        {
            _w.Line(NoInline);
            _w.Line($"private void __Obs{name}({parameters}) => __observer!.On{name}(this, {args});");
        }

        foreach (var name in new[] { "Dispatch", "Unhandled", "Deferred" })
        {
            _w.Line(NoInline);
            _w.Line($"private void __Obs{name}<TEvent>(in TEvent e) => __observer!.On{name}(this, e!);");
        }
    }

    private void EmitIntrospection()
    {
        EmitObserverHelpers();
        _w.Line();
        _w.Line("/// <summary>True when <typeparamref name=\"TState\"/> is active (in any region).</summary>");
        _w.Line($"public bool IsIn<TState>() where TState : global::Hsm.IState<{M.FullName}> => __IsActive(TState.StateId);");
        _w.Line("/// <summary>True when the state with this generated id is active.</summary>");
        _w.Line("public bool IsIn(int stateId) => __IsActive(stateId);");
        _w.Line("/// <summary>The innermost active state of the top region (0 before Start).</summary>");
        _w.Line("public int CurrentStateId => __a0;");
        _w.Line("/// <summary>The innermost active state of the top region.</summary>");
        _w.Line("public global::Hsm.StateInfo CurrentState => __info.States[__a0];");
        _w.Line();
        _w.Open("public global::System.Collections.Generic.IReadOnlyList<global::Hsm.StateInfo> ActiveStates");
        _w.Open("get");
        _w.Line("var list = new global::System.Collections.Generic.List<global::Hsm.StateInfo>();");
        _w.Line($"for (var i = 1; i < {M.States.Count}; i++) if (__IsActive(i)) list.Add(__info.States[i]);");
        _w.Line("return list;");
        _w.Close();
        _w.Close();

        EmitSend();
        EmitCapture();
        EmitRestore();
    }

    private void EmitSend()
    {
        _w.Line();
        _w.Line("/// <summary>Dispatches an event whose type is a generic parameter (the type test is folded away by the JIT for struct events).</summary>");
        _w.Open("public void Send<TEvent>(in TEvent e)");
        foreach (var ev in M.Events)
        {
            _w.Open($"if (typeof(TEvent) == typeof({ev.TypeName}))");
            _w.Line($"Dispatch(in global::System.Runtime.CompilerServices.Unsafe.As<TEvent, {ev.TypeName}>(ref global::System.Runtime.CompilerServices.Unsafe.AsRef(in e)));");
            _w.Line("return;");
            _w.Close();
        }

        _w.Line($"throw new global::Hsm.HsmException($\"State machine '{M.Name}' does not handle events of type '{{typeof(TEvent).FullName}}'; it handles: {string.Join(", ", M.Events.Select(e => e.Name))}.\");");
        _w.Close();
    }

    private void EmitCapture()
    {
        _w.Line();
        _w.Open("public global::Hsm.HsmConfiguration CaptureConfiguration()");
        _w.Line($"if ((__gate & 1) != 0) throw new global::System.InvalidOperationException(\"State machine '{M.Name}' cannot capture its configuration while it processes an event; capture between events.\");");
        _w.Line("var active = new global::System.Collections.Generic.List<string>();");
        foreach (var slot in M.Slots)
        {
            _w.Line($"if (__a{slot.Index} != 0) active.Add(__info.States[__a{slot.Index}].Path);");
        }

        _w.Line("var history = new global::System.Collections.Generic.List<global::System.Collections.Generic.KeyValuePair<string, string>>();");
        foreach (var (key, field) in HistoryFields())
        {
            _w.Line($"if ({field} != 0) history.Add(new global::System.Collections.Generic.KeyValuePair<string, string>({Literal(key)}, __info.States[{field}].Path));");
        }

        _w.Line("var deferred = new global::System.Collections.Generic.List<object>();");
        if (_hasDeferrals)
        {
            _w.Open("for (var i = 0; __deferred != null && i < __deferred.Count; i++)");
            _w.Line("var ev = __deferred[i];");
            _w.Open("switch (ev.Tag)");
            foreach (var e in M.Events)
            {
                _w.Line($"case {e.Index}: deferred.Add(ev.{e.Field}!); break;");
            }

            _w.Close();
            _w.Close();
        }

        _w.Line($"return new global::Hsm.HsmConfiguration({Literal(M.Name)}, active, history, deferred);");
        _w.Close();
    }

    private void EmitRestore()
    {
        _w.Line();
        _w.Open("public void RestoreConfiguration(global::Hsm.HsmConfiguration configuration)");
        _w.Line("global::System.ArgumentNullException.ThrowIfNull(configuration);");
        _w.Line($"if ((__gate & 1) != 0) throw new global::System.InvalidOperationException(\"State machine '{M.Name}' cannot restore a configuration while it processes an event.\");");
        _w.Line($"if (configuration.Machine != {Literal(M.Name)}) throw new global::System.ArgumentException($\"The configuration belongs to state machine '{{configuration.Machine}}', not '{M.Name}'.\", nameof(configuration));");
        _w.Line("__CreateStates();");
        _w.Line("__ClearQueues();");
        if (_hasDeferrals)
        {
            _w.Line("__deferred.Clear();");
        }
        // Until the restore succeeds there is no active state: a restore that throws half-way leaves the machine refusing
        // events with "no active state", as if every state had been exited.
        _w.Line("__gate |= 4;");
        foreach (var slot in M.Slots)
        {
            _w.Line($"__a{slot.Index} = 0;");
        }

        foreach (var (_, field) in HistoryFields())
        {
            _w.Line($"{field} = 0;");
        }

        _w.Open("foreach (var path in configuration.ActiveStates)");
        _w.Line($"var info = __info.Find(path) ?? throw new global::System.ArgumentException($\"The configuration names state '{{path}}', which '{M.Name}' does not have.\", nameof(configuration));");
        _w.Line("if (info.Id == 0 || info.Kind is global::Hsm.StateKind.Choice or global::Hsm.StateKind.Composite)");
        _w.Line($"    throw new global::System.ArgumentException($\"'{{path}}' cannot be an innermost active state of '{M.Name}'; name a state without substates (or an orthogonal state).\", nameof(configuration));");
        _w.Line($"if (__GetActive(__slotOf[info.Id]) != 0) throw new global::System.ArgumentException($\"The configuration names two active states in the region of '{{path}}'.\", nameof(configuration));");
        _w.Line("__SetActive(__slotOf[info.Id], info.Id);");
        _w.Close();
        _w.Line($"if (__a0 == 0) throw new global::System.ArgumentException(\"The configuration has no active state in the top region of '{M.Name}'.\", nameof(configuration));");
        _w.Line("// Every active orthogonal state has an active state in each region, and no region is active without its owner.");
        _w.Open($"for (var i = 1; i < {M.States.Count}; i++)");
        _w.Open("if (__kind[i] == 2)");
        _w.Line("var active = __IsActive(i);");
        _w.Line($"foreach (var r in __regionSlots[i]) if ((__GetActive(r) == 0) == active) throw new global::System.ArgumentException($\"State '{{__info.States[i].Path}}' is {{(active ? \"active but one of its regions has no active state\" : \"not active but one of its regions has an active state\")}}.\", nameof(configuration));");
        _w.Close();
        _w.Close();
        _w.Open("foreach (var entry in configuration.History)");
        _w.Line($"var state = __info.Find(entry.Value) ?? throw new global::System.ArgumentException($\"The configuration's history names state '{{entry.Value}}', which '{M.Name}' does not have.\", nameof(configuration));");
        _w.Open("switch (entry.Key)");
        foreach (var (key, field) in HistoryFields())
        {
            _w.Line($"case {Literal(key)}: {field} = state.Id; break;");
        }

        _w.Line($"default: throw new global::System.ArgumentException($\"'{{entry.Key}}' has no history in '{M.Name}'.\", nameof(configuration));");
        _w.Close();
        _w.Close();
        _w.Open("foreach (var item in configuration.DeferredEvents)");
        _w.Open("switch (item)");
        if (_hasDeferrals)
        {
            foreach (var e in M.Events)
            {
                _w.Line($"case {e.TypeName} v{e.Index}: if (!__deferred.TryPushBack(new __Event {{ Tag = {e.Index}, {e.Field} = v{e.Index} }})) throw new global::System.ArgumentException(\"The configuration holds more deferred events than DeferredCapacity ({M.DeferredCapacity}).\", nameof(configuration)); break;");
            }
        }

        _w.Line($"default: throw new global::System.ArgumentException($\"'{{item?.GetType().Name}}' is not an event type of '{M.Name}'.\", nameof(configuration));");
        _w.Close();
        _w.Close();
        _w.Line("__started = true;");
        _w.Line("__gate &= ~4;");
        _w.Line("__terminated = __kind[__a0] == 3 && __parent[__a0] == 0;");
        _w.Close();
    }

    /// <summary>(persisted key, field) of every history record: a composite's path, or "owner path/region" for a region.</summary>
    private System.Collections.Generic.IEnumerable<(string Key, string Field)> HistoryFields()
    {
        foreach (var s in M.States.Where(s => s.Kind == VertexKind.Composite && (s.ShallowHistory || s.DeepHistory)))
        {
            yield return (s.Path, $"__hist_{s.Id}");
        }

        foreach (var slot in M.Slots.Where(sl => SlotNeedsHistory(sl.Index)))
        {
            yield return (S(slot.Owner).Path + "/" + slot.RegionName, $"__hslot_{slot.Index}");
        }
    }
}
