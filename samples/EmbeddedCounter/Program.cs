var builder = WebApplication.CreateBuilder(args);   // Raft:NodeId, Raft:Members, Raft:DataDirectory from configuration
builder.Services.AddRaft<Counter>();                // file storage + gRPC transport + hosted service (hand-over on stop)
builder.Services.AddHealthChecks().AddRaftHealthCheck();
var app = builder.Build();
app.MapPost("/increment", async (IRaftNode raft) => await raft.ProposeAsync(new byte[] { 1 }));  // returns the new value
app.MapHealthChecks("/health");
app.Run();

sealed class Counter : IRaftStateMachine   // every node applies the same committed commands in the same order
{
    private long _value;
    public ValueTask<object?> ApplyAsync(LogEntry entry, CancellationToken ct) => ValueTask.FromResult<object?>(++_value);
    public IRaftSnapshotSource CaptureSnapshot() => new Snapshot(_value);
    public async ValueTask RestoreAsync(Stream s, CancellationToken ct)
    { var b = new byte[8]; await s.ReadExactlyAsync(b, ct); _value = BitConverter.ToInt64(b); }

    private sealed record Snapshot(long Value) : IRaftSnapshotSource
    {
        public ValueTask WriteToAsync(Stream d, CancellationToken ct) => d.WriteAsync(BitConverter.GetBytes(Value), ct);
        public void Dispose() { }
    }
}
