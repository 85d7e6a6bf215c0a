namespace Hsm.Generators.Tests;

/// <summary>
/// The differential harness of the tests of trivial bodies run in place (docs/adr/0008). A test's machine template has a
/// state <c>S</c> whose internal transition on <c>Ev</c> runs <c>Subject(PARAM) { BODY }</c> (which the generator copies into
/// the step) and a twin <c>public void Direct(PARAM) { BODY }</c> nobody references (called directly on the state object),
/// a guard <c>Check() =&gt; GUARD</c> on <c>Probe</c> with the public action <c>Hit()</c>, and a <c>Snapshot()</c> of every
/// field. <see cref="Program"/> drives two machines with the same events, one through <c>Dispatch</c>, one by calling
/// <c>Direct</c> and evaluating the guard itself; after every event their snapshots must be equal.
/// </summary>
internal static class InlineDifferential
{
    public const string Program = """

        public static class Program
        {
            public static string Run()
            {
                var inPlace = new M();
                inPlace.Start();
                var called = new M();
                called.Start();
                foreach (var n in new[] { -3, 0, 1, 7, 1000, int.MaxValue })
                {
                    var e = new Ev { N = n, Auto = n / 2 };
                    inPlace.Dispatch(e);
                    called.SState.Direct(e);
                    if (e.N != n) return "the caller's event changed";
                    inPlace.Dispatch(new Probe());
                    if (GUARD_DIRECT) called.SState.Hit();
                    if (inPlace.Snapshot() != called.Snapshot()) return inPlace.Snapshot() + " | " + called.Snapshot();
                }
                return "same " + inPlace.Snapshot();
            }
        }
        """;

    /// <summary>The template with <see cref="Program"/>, the body, the parameter and the guard (whose direct twin reads the
    /// machine <c>called</c> where the guard reads <c>Machine</c>) filled in.</summary>
    public static string Source(string template, string body, string param, string guard) =>
        (template + Program).Replace("PARAM", param).Replace("BODY", body)
            .Replace("GUARD_DIRECT", guard.Replace("Machine.", "called.")).Replace("GUARD", guard);

    /// <summary>The generated text without the forwarding methods (<c>__Hsm_X</c> trampolines), which are emitted either way.</summary>
    public static string Steps(string generated) =>
        string.Join("\n", generated.Split('\n').Where(l => !l.Contains("internal ") || !l.Contains("__Hsm_")));
}
