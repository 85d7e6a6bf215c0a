// Usage: Raft.Storage.CrashChild <data directory> <seed>
// Opens the node's FileStorage (recovering it), prints "open <start index> <start term> <last index>", then appends
// batches forever. Before each AppendAsync it prints "append <first>" (from then on the entries from <first> on are being
// replaced and are no longer promised); after it returns (the batch is fdatasync'd) "ack <first> <last> <term>";
// after a compaction "compact <index> <term>". The parent kills it with SIGKILL at a random moment and checks that
// every acknowledged entry survives. Payloads are a pure function of (index, term), so the parent can verify them.
using HsmRaft;
using HsmRaft.Storage;
using HsmRaft.Testing;

var directory = args[0];
var random = new Random(int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture));
var output = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = true };

await using var storage = FileStorage.Open(new FileStorageOptions { Directory = directory, SegmentSize = 64 << 10 });
var recovery = await storage.Log.OpenAsync();
var log = storage.Log;
var term = recovery.Entries.Count > 0 ? recovery.Entries[^1].Term : Math.Max(recovery.SnapshotTerm, 1);
output.WriteLine($"open {recovery.SnapshotIndex} {recovery.SnapshotTerm} {log.LastIndex}");

var batch = new List<LogEntry>();
while (true)
{
    var roll = random.Next(100);
    if (roll < 6 && log.LastIndex > log.StartIndex + 10)
    {
        // Compact about half of the log (as after a snapshot).
        var index = log.StartIndex + ((log.LastIndex - log.StartIndex) / 2);
        var read = new List<LogEntry>();
        await log.ReadAsync(index, index + 1, read);
        await log.CompactAsync(index, read[0].Term);
        output.WriteLine($"compact {index} {read[0].Term}");
        continue;
    }

    // Occasionally overwrite a suffix with entries of a newer term (a conflict, Raft §5.3).
    var first = log.LastIndex + 1;
    if (roll < 10 && log.LastIndex - log.StartIndex > 5)
    {
        first = log.LastIndex - random.Next(1, 5);
        term++;
    }

    batch.Clear();
    var count = random.Next(1, 40);
    for (var i = 0; i < count; i++)
    {
        var index = first + i;
        batch.Add(new LogEntry(index, term, LogEntryKind.Command, DeterministicPayload.Create(index, term, random.Next(0, 1500))));
    }

    output.WriteLine($"append {first}");
    await log.AppendAsync(batch);
    output.WriteLine($"ack {first} {first + count - 1} {term}");
}
