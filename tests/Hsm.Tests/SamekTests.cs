using Hsm.Tests.Machines;

namespace Hsm.Tests;

/// <summary>QP's QHsmTst script, one line per event as QP's test prints it ("EVENT:trace;"). Every line was derived by hand
/// from QP's rules (handler first, exit up to the LCA, enter down, then initial transitions) and agrees with the published
/// QP output wherever the machines coincide (e.g. lines A, B, D of s21/s211 are QP's verbatim).</summary>
public class SamekTests
{
    private static readonly string[] Expected =
    [
        "start:top-INIT;s-ENTRY;s-INIT;s1-ENTRY;s1-INIT;s11-ENTRY;",
        "A:s1-A;s11-EXIT;s1-EXIT;s1-ENTRY;s1-INIT;s11-ENTRY;",
        "B:s1-B;s11-EXIT;s11-ENTRY;",
        "D:s1-D;s11-EXIT;s1-EXIT;s-INIT;s1-ENTRY;s1-INIT;s11-ENTRY;",
        "D:s11-D;s11-EXIT;s1-INIT;s11-ENTRY;",
        "E:s-E;s11-EXIT;s1-EXIT;s1-ENTRY;s11-ENTRY;",
        "I:s1-I;",
        "F:s1-F;s11-EXIT;s1-EXIT;s2-ENTRY;s21-ENTRY;s211-ENTRY;",
        "I:s2-I;",
        "I:s-I;",
        "F:s2-F;s211-EXIT;s21-EXIT;s2-EXIT;s1-ENTRY;s11-ENTRY;",
        "A:s1-A;s11-EXIT;s1-EXIT;s1-ENTRY;s1-INIT;s11-ENTRY;",
        "B:s1-B;s11-EXIT;s11-ENTRY;",
        "D:s1-D;s11-EXIT;s1-EXIT;s-INIT;s1-ENTRY;s1-INIT;s11-ENTRY;",
        "D:s11-D;s11-EXIT;s1-INIT;s11-ENTRY;",
        "E:s-E;s11-EXIT;s1-EXIT;s1-ENTRY;s11-ENTRY;",
        "G:s11-G;s11-EXIT;s1-EXIT;s2-ENTRY;s21-ENTRY;s211-ENTRY;",
        "H:s211-H;s211-EXIT;s21-EXIT;s2-EXIT;s-INIT;s1-ENTRY;s1-INIT;s11-ENTRY;",
        "H:s11-H;s11-EXIT;s1-EXIT;s-INIT;s1-ENTRY;s1-INIT;s11-ENTRY;",
        "C:s1-C;s11-EXIT;s1-EXIT;s2-ENTRY;s2-INIT;s21-ENTRY;s21-INIT;s211-ENTRY;",
        "G:s21-G;s211-EXIT;s21-EXIT;s2-EXIT;s1-ENTRY;s1-INIT;s11-ENTRY;",
        "C:s1-C;s11-EXIT;s1-EXIT;s2-ENTRY;s2-INIT;s21-ENTRY;s21-INIT;s211-ENTRY;",
        "C:s2-C;s211-EXIT;s21-EXIT;s2-EXIT;s1-ENTRY;s1-INIT;s11-ENTRY;",
        "F:s1-F;s11-EXIT;s1-EXIT;s2-ENTRY;s21-ENTRY;s211-ENTRY;",
        "A:s21-A;s211-EXIT;s21-EXIT;s21-ENTRY;s21-INIT;s211-ENTRY;",
        "B:s21-B;s211-EXIT;s211-ENTRY;",
        "D:s211-D;s211-EXIT;s21-INIT;s211-ENTRY;",
        "I:s2-I;",
        "E:s-E;s211-EXIT;s21-EXIT;s2-EXIT;s1-ENTRY;s11-ENTRY;",
        "D:s11-D;s11-EXIT;s1-INIT;s11-ENTRY;",
    ];

    [Fact]
    public void QpTestScriptProducesTheExpectedTrace()
    {
        var m = new QhsmTst();
        var lines = new List<string>();
        m.Start();
        lines.Add("start:" + Flush(m));
        foreach (var line in Expected.Skip(1))
        {
            var name = line[..line.IndexOf(':')];
            Dispatch(m, name[0]);
            lines.Add(name + ":" + Flush(m));
        }

        Assert.Equal(Expected, lines);
        Assert.True(m.IsIn<QhsmTst.S.S1.S11>());
        Assert.Equal(0, m.Foo);
    }

    private static string Flush(QhsmTst m)
    {
        var text = string.Concat(m.Trace.Select(t => t + ";"));
        m.Trace.Clear();
        return text;
    }

    private static void Dispatch(QhsmTst m, char name)
    {
        switch (name)
        {
            case 'A': m.Dispatch(new A()); break;
            case 'B': m.Dispatch(new B()); break;
            case 'C': m.Dispatch(new C()); break;
            case 'D': m.Dispatch(new D()); break;
            case 'E': m.Dispatch(new E()); break;
            case 'F': m.Dispatch(new F()); break;
            case 'G': m.Dispatch(new G()); break;
            case 'H': m.Dispatch(new H()); break;
            case 'I': m.Dispatch(new I()); break;
            default: throw new ArgumentOutOfRangeException(nameof(name), name, "not an event of QHsmTst");
        }
    }
}
