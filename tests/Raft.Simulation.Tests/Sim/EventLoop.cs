namespace HsmRaft.Simulation.Sim;

/// <summary>
/// The simulator's only notion of time: a queue of actions ordered by (virtual time, scheduling order). Nothing runs
/// concurrently and nothing reads a wall clock, so a run is a deterministic function of its seed.
/// </summary>
internal sealed class EventLoop
{
    private readonly PriorityQueue<Action, (long Time, long Seq)> _queue = new();
    private long _seq;

    /// <summary>Current virtual time in microseconds.</summary>
    public long Now { get; private set; }

    public long NowTicks => Now / SimTime.TickMicros;

    public long EventsRun { get; private set; }

    public void At(long time, Action action) => _queue.Enqueue(action, (Math.Max(time, Now), _seq++));

    public void After(long delay, Action action) => At(Now + delay, action);

    /// <summary>Runs every action due at or before <paramref name="time"/>, then sets the clock to it.</summary>
    public void RunUntil(long time)
    {
        while (_queue.TryPeek(out var action, out var due) && due.Time <= time)
        {
            _queue.Dequeue();
            Now = due.Time;
            EventsRun++;
            action();
        }

        Now = Math.Max(Now, time);
    }
}
