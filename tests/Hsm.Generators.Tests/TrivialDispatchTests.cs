namespace Hsm.Generators.Tests;

/// <summary>Which events get the fast Dispatch (no guarded run) and where the generator still records which user code runs
/// (ADR 0007). The behaviour of both paths is tested on a compiled machine in Hsm.Tests (TrivialStepTests).</summary>
public class TrivialDispatchTests
{
    private const string Source = """
        using Hsm;
        namespace Demo;

        public readonly record struct Tick;
        public readonly record struct Swap;
        public readonly record struct Log;
        public readonly record struct Later;

        [StateMachine]
        public partial class Counter
        {
            public int Count;
            public System.Collections.Generic.List<int> Seen = new();

            [Initial, Internal<Tick>(Action = nameof(Add)), Transition<Swap, B>, Internal<Log>(Action = nameof(Record))]
            public partial class A
            {
                [Exit] void Out() => Machine.Count--;
                void Add() => Machine.Count++;
                void Record() => Machine.Seen.Add(Machine.Count);
            }

            [Transition<Swap, A>]
            public partial class B
            {
                [Entry] void In() => Machine.Count += 10;
            }
        }
        """;

    [Fact]
    public void Events_whose_user_code_is_trivial_are_dispatched_without_the_guarded_run()
    {
        var code = Generate(Source);
        Assert.DoesNotContain("try", Body(code, "public void Dispatch(in global::Demo.Tick e)"));
        Assert.DoesNotContain("try", Body(code, "public void Dispatch(in global::Demo.Swap e)"));
        var log = Body(code, "public void Dispatch(in global::Demo.Log e)");
        Assert.Contains("__gate = 1;", log);
        Assert.Contains("catch (global::System.Exception ex) when (__Caught(ex))", log);
        // Every path still starts with the gate test: busy (queue) or observed (the observed, guarded step).
        Assert.StartsWith("{\n        if (__gate != 0)", Body(code, "public void Dispatch(in global::Demo.Tick e)"));
    }

    [Fact]
    public void Only_non_trivial_user_code_is_recorded_for_exception_messages_outside_the_observed_variant()
    {
        var code = Generate(Source);
        // A's exit (state 1, kind Exit = 1) and B's entry (state 2, kind Entry = 0) are trivial: no record in the plain exit
        // and entry methods; Record (state 1, kind Action = 3) is not trivial.
        Assert.DoesNotContain("__where", Body(code, "private void __Exit_1()"));
        Assert.DoesNotContain("__where", Body(code, "private void __Enter_2()"));
        Assert.Contains("__where = 11;", Body(code, "private int __D2_S0(in global::Demo.Log e)"));
        // The observed variants keep every record: an observer's hook (user code) runs right after the call.
        Assert.Contains("__where = 9;", Body(code, "private void __Exit_1__o()"));
        Assert.Contains("__where = 16;", Body(code, "private void __Enter_2__o()"));
    }

    [Fact]
    public void An_event_every_state_handles_alike_is_dispatched_without_a_switch()
    {
        var code = Generate(Source.Replace("[StateMachine]", "[StateMachine, Internal<Later>(Action = nameof(Reset))]", StringComparison.Ordinal)
            .Replace("public int Count;", "public int Count;\n    void Reset() => Count = 0;", StringComparison.Ordinal));
        var later = Index(code, "Later");
        Assert.DoesNotContain("switch", Body(code, $"private int __D{later}_S0(in global::Demo.Later e)"));
        Assert.Contains("switch (__a0)", Body(code, $"private int __D{later}_S0__o(in global::Demo.Later e)")); // observed: unchanged
        Assert.Contains("switch (__a0)", Body(code, $"private int __D{Index(code, "Tick")}_S0(in global::Demo.Tick e)")); // only A handles Tick
        // With no switch, an absent active state must be caught before: the gate's bit 4 (not started, or none left by a fault).
        Assert.Contains("private int __gate = 4;", code);
        Assert.Contains("if ((__gate & 4) != 0) throw __NoActiveState();", Body(code, $"private void __DispatchSlow_{later}(global::Demo.Later e)"));
    }

    /// <summary>The generated index of an event type (its position in the machine's event list).</summary>
    private static int Index(string code, string evt) => int.Parse(
        System.Text.RegularExpressions.Regex.Match(code, $@"private void __DispatchSlow_(\d+)\(global::Demo\.{evt} e\)").Groups[1].Value,
        System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void A_transition_through_a_non_trivial_entry_makes_the_step_guarded()
    {
        var code = Generate(Source.Replace("[Entry] void In() => Machine.Count += 10;", "[Entry] void In() => Machine.Seen.Clear();", StringComparison.Ordinal));
        Assert.Contains("__gate = 1;", Body(code, "public void Dispatch(in global::Demo.Swap e)"));
        Assert.DoesNotContain("try", Body(code, "public void Dispatch(in global::Demo.Tick e)")); // internal: no entries run
    }

    [Fact]
    public void Deferred_events_or_completion_transitions_keep_every_step_guarded()
    {
        var code = Generate(Source.Replace("[Transition<Swap, A>]", "[Transition<Swap, A>, Defer<Later>]", StringComparison.Ordinal)
            .Replace("Transition<Swap, B>,", "Transition<Swap, B>, Transition<Later, B>,", StringComparison.Ordinal));
        Assert.Contains("__gate = 1;", Body(code, "public void Dispatch(in global::Demo.Tick e)"));
    }

    private static string Generate(string source) => GeneratorHarness.GeneratedText(source).Replace("\r\n", "\n", StringComparison.Ordinal);

    /// <summary>The braced body following <paramref name="signature"/>.</summary>
    private static string Body(string code, string signature)
    {
        var start = code.IndexOf(signature, StringComparison.Ordinal);
        Assert.True(start >= 0, "not generated: " + signature);
        var open = code.IndexOf('{', start);
        var depth = 0;
        for (var i = open; i < code.Length; i++)
        {
            depth += code[i] == '{' ? 1 : code[i] == '}' ? -1 : 0;
            if (depth == 0)
            {
                return code[open..(i + 1)];
            }
        }

        throw new InvalidOperationException("unbalanced braces after " + signature);
    }
}
