using HsmRaft.Simulation.Linearizability;

namespace HsmRaft.Simulation;

/// <summary>The checker itself, on small hand-made histories whose verdict is known.</summary>
public class LinearizabilityCheckerTests
{
    private static HistoryOp Put(string key, string value, long call, long ret) =>
        new() { Key = key, Kind = OpKind.Put, Value = value, Call = call, Return = ret };

    private static HistoryOp Append(string key, string value, long call, long ret) =>
        new() { Key = key, Kind = OpKind.Append, Value = value, Call = call, Return = ret };

    private static HistoryOp Get(string key, string output, long call, long ret) =>
        new() { Key = key, Kind = OpKind.Get, Output = output, Call = call, Return = ret };

    private const long Never = long.MaxValue;

    private static CheckResult Check(params HistoryOp[] ops) =>
        LinearizabilityChecker.Check(ops.Select((o, i) => new HistoryOp
        {
            Id = i, Key = o.Key, Kind = o.Kind, Value = o.Value, Output = o.Output, Call = o.Call, Return = o.Return,
        }).ToList());

    [Fact]
    public void SequentialHistoryIsLinearizable() =>
        Assert.True(Check(Put("x", "1", 1, 2), Get("x", "1", 3, 4), Put("x", "2", 5, 6), Get("x", "2", 7, 8)).Ok);

    [Fact]
    public void StaleReadAfterACompletedWriteIsNot()
    {
        var r = Check(Put("x", "1", 1, 2), Put("x", "2", 3, 4), Get("x", "1", 5, 6));
        Assert.False(r.Ok);
        Assert.Contains("key 'x'", r.Explanation);
    }

    [Fact]
    public void ReadOfTheInitialEmptyValue() => Assert.True(Check(Get("x", "", 1, 2), Put("x", "1", 3, 4)).Ok);

    [Fact]
    public void ReadOfAValueNeverWrittenIsNot() => Assert.False(Check(Put("x", "1", 1, 2), Get("x", "7", 3, 4)).Ok);

    [Fact]
    public void ConcurrentWriteMayBeSeenOrNot()
    {
        // The put overlaps both reads, so the first read may miss it and the second see it.
        Assert.True(Check(Put("x", "1", 1, 10), Get("x", "", 2, 3), Get("x", "1", 4, 5)).Ok);
    }

    [Fact]
    public void ReadsCannotGoBackInTime()
    {
        // Once a read observed the concurrent put, a later read (invoked after it returned) cannot miss it.
        Assert.False(Check(Put("x", "1", 1, 10), Get("x", "1", 2, 3), Get("x", "", 4, 5)).Ok);
    }

    [Fact]
    public void OrderOfConcurrentWritesIsFree()
    {
        Assert.True(Check(Put("x", "a", 1, 5), Put("x", "b", 2, 6), Get("x", "a", 7, 8)).Ok);
        Assert.True(Check(Put("x", "a", 1, 5), Put("x", "b", 2, 6), Get("x", "b", 7, 8)).Ok);
    }

    [Fact]
    public void TwoReadersMustAgreeOnTheOrderOfWrites()
    {
        // Reader 1 sees a then b; reader 2 sees b then a: no single order explains both.
        var r = Check(
            Put("x", "a", 1, 20), Put("x", "b", 2, 20),
            Get("x", "a", 3, 4), Get("x", "b", 5, 6),
            Get("x", "b", 7, 8), Get("x", "a", 9, 10));
        Assert.False(r.Ok);
    }

    [Fact]
    public void AppendsAreOrderedOnce()
    {
        Assert.True(Check(Append("x", "a", 1, 4), Append("x", "b", 2, 5), Get("x", "ba", 6, 7)).Ok);
        Assert.False(Check(Append("x", "a", 1, 2), Append("x", "b", 3, 4), Get("x", "ba", 5, 6)).Ok);

        // A duplicated append (applied twice) is caught.
        Assert.False(Check(Append("x", "a", 1, 2), Get("x", "aa", 3, 4)).Ok);
    }

    [Fact]
    public void WriteWithUnknownOutcomeMayTakeEffectAnyTimeAfterItsCall()
    {
        // The client never learned the put's outcome: it may apply late (after the first read) or never.
        Assert.True(Check(Put("x", "1", 1, Never), Get("x", "", 2, 3), Get("x", "1", 4, 5)).Ok);
        Assert.True(Check(Put("x", "1", 1, Never), Get("x", "", 2, 3), Get("x", "", 4, 5)).Ok);

        // ...but not before it was invoked.
        Assert.False(Check(Get("x", "1", 1, 2), Put("x", "1", 3, Never)).Ok);
    }

    [Fact]
    public void KeysAreIndependent()
    {
        Assert.True(Check(Put("x", "1", 1, 2), Put("y", "2", 3, 4), Get("x", "1", 5, 6), Get("y", "2", 7, 8)).Ok);
        var r = Check(Put("x", "1", 1, 2), Put("y", "2", 3, 4), Get("x", "1", 5, 6), Get("y", "1", 7, 8));
        Assert.False(r.Ok);
        Assert.Contains("key 'y'", r.Explanation);
    }

    [Fact]
    public void ManyConcurrentWritersStayTractable()
    {
        // 12 overlapping puts and reads that pin one order: the memoized search must not explode (12! orders).
        var ops = new List<HistoryOp>();
        for (var i = 0; i < 12; i++)
        {
            ops.Add(Put("x", i.ToString(System.Globalization.CultureInfo.InvariantCulture), 1 + i, 100));
        }

        ops.Add(Get("x", "11", 101, 102));
        ops.Add(Get("x", "11", 103, 104));
        Assert.True(Check([.. ops]).Ok);
        ops.Add(Get("x", "3", 105, 106));
        Assert.False(Check([.. ops]).Ok);
    }
}
