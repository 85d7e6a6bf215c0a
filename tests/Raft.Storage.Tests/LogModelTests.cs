namespace HsmRaft.Storage.Tests;

/// <summary>Runs random appends, conflicting appends and compactions against the file log and the in-memory log side by
/// side, reopening the file log after every operation, and checks that both always hold the same log and read the same
/// random ranges.</summary>
public class LogModelTests
{
    [Fact]
    public Task File_and_in_memory_logs_agree_after_every_operation_and_every_reopen() =>
        Seeded.RunAsync(nameof(File_and_in_memory_logs_agree_after_every_operation_and_every_reopen), Seeded.Seeds(7, 8, 9), async seed =>
        {
            var random = new Random(seed);
            var node = new Node(new SimulatedFileSystem(seed), "/n", 1024 + random.Next(4096));
            await node.OpenAsync();
            var memory = new InMemoryLogStore();
            await memory.OpenAsync();
            foreach (var op in Workload.Generate(seed, 150).Where(o => o is AppendOp or CompactOp))
            {
                await op.RunAsync(node.Storage!);
                await (op switch
                {
                    AppendOp a => memory.AppendAsync(a.Batch),
                    CompactOp c => memory.CompactAsync(c.Index, c.Term),
                    _ => default,
                });

                var expected = await memory.OpenAsync();
                var recovery = random.Next(3) == 0 ? await node.ReopenAsync() : null;
                Assert.Equal((memory.StartIndex, memory.StartTerm, memory.LastIndex), (node.Log.StartIndex, node.Log.StartTerm, node.Log.LastIndex));
                if (recovery is not null)
                {
                    Assert.Equal((expected.SnapshotIndex, expected.SnapshotTerm), (recovery.SnapshotIndex, recovery.SnapshotTerm));
                    Entries.AssertSame(expected.Entries, recovery.Entries);
                }

                if (memory.LastIndex > memory.StartIndex)
                {
                    var from = memory.StartIndex + 1 + random.Next((int)(memory.LastIndex - memory.StartIndex));
                    var to = from + random.Next((int)(memory.LastIndex - from) + 2);
                    List<LogEntry> fromFile = [], fromMemory = [];
                    await node.Log.ReadAsync(from, to, fromFile);
                    await memory.ReadAsync(from, to, fromMemory);
                    Entries.AssertSame(fromMemory, fromFile);
                }
            }

            await node.CloseAsync();
        });
}
