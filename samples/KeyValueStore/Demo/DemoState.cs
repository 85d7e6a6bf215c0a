using System.Diagnostics;
using HsmRaft.Samples.KeyValueStore.Client;

namespace HsmRaft.Samples.KeyValueStore.Demo;

internal enum StepStatus
{
    Pending,
    Running,
    Done,
    Failed,
}

/// <summary>One step of the demo as the views show it.</summary>
internal sealed class DemoStep(int number, string title)
{
    private long _started;
    private long _ended;

    public int Number { get; } = number;

    public string Title { get; } = title;

    public StepStatus Status { get; private set; }

    /// <summary>What the step found (shown next to it, and in the summary).</summary>
    public string Detail { get; set; } = "";

    /// <summary>0..1 while a timed part runs; null otherwise.</summary>
    public double? Progress { get; set; }

    public TimeSpan Elapsed => _started == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(_started, _ended == 0 ? Stopwatch.GetTimestamp() : _ended);

    public void Start()
    {
        _started = Stopwatch.GetTimestamp();
        Status = StepStatus.Running;
    }

    public void Finish(bool ok)
    {
        _ended = Stopwatch.GetTimestamp();
        Progress = null;
        Status = ok ? StepStatus.Done : StepStatus.Failed;
    }
}

/// <summary>A node as the views show it: its process state, its last status, and its health check's answer.</summary>
internal sealed record NodeRow(ulong Id, string Process, NodeStatusDto? Status, string Health);

/// <summary>Everything the views render, updated by the script and the status poller.</summary>
internal sealed class DemoState(string dataDirectory, int writers)
{
    private readonly List<(TimeSpan At, string Message)> _events = [];

    public Stopwatch Clock { get; } = Stopwatch.StartNew();

    public string DataDirectory { get; } = dataDirectory;

    public int Writers { get; } = writers;

    public List<DemoStep> Steps { get; } =
    [
        new(1, "Start 3 node processes and elect a leader"),
        new(2, "Client workload: throughput and latency"),
        new(3, "SIGKILL the leader, re-elect, keep writing, restart it"),
        new(4, "Joint consensus: add 2 nodes and remove 2 at once"),
        new(5, "Compact the log; bring a fresh node up from a snapshot"),
        new(6, "Verify every acknowledged write on every node"),
    ];

    public IReadOnlyList<NodeRow> Nodes { get; set; } = [];

    public Workload? Workload { get; set; }

    public VerificationResult? Verification { get; set; }

    /// <summary>Raised for every event (the plain view prints them as they come).</summary>
    public event Action<TimeSpan, string>? EventLogged;

    /// <summary>Raised when a step finishes.</summary>
    public event Action<DemoStep>? StepFinished;

    public IReadOnlyList<(TimeSpan At, string Message)> RecentEvents(int count)
    {
        lock (_events)
        {
            return _events.TakeLast(count).ToList();
        }
    }

    public void Log(string message)
    {
        var at = Clock.Elapsed;
        lock (_events)
        {
            _events.Add((at, message));
        }

        EventLogged?.Invoke(at, message);
    }

    public void Finished(DemoStep step) => StepFinished?.Invoke(step);
}
