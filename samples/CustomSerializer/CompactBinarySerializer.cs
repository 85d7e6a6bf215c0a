using System.Buffers;
using System.Buffers.Binary;
using HsmRaft.Messages;
using HsmRaft.Transport;

namespace HsmRaft.Samples.CustomSerializer;

/// <summary>
/// A hand-written <see cref="IRaftMessageSerializer"/>: fixed-width little-endian fields in declaration order, byte
/// payloads as a 32-bit length then the bytes, and the snapshot's configuration in <see cref="ClusterConfiguration.Encode"/>
/// form. No schema evolution (bump the wire version to change it) in exchange for no dependencies and no allocations
/// beyond the message itself. Every length is checked against the bytes actually present before anything is allocated.
/// </summary>
public sealed class CompactBinarySerializer : IRaftMessageSerializer
{
    /// <summary>The shared instance (the serializer is stateless).</summary>
    public static CompactBinarySerializer Instance { get; } = new();

    /// <inheritdoc />
    public void Serialize(RaftMessage message, IBufferWriter<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(message);
        var w = new Writer(destination);
        w.U64(message.From.Value);
        w.U64(message.To.Value);
        w.I64(message.Term);
        switch (message)
        {
            case RequestVote m:
                w.Bool(m.PreVote); w.I64(m.LastLogIndex); w.I64(m.LastLogTerm); w.Bool(m.LeadershipTransfer);
                break;
            case RequestVoteResponse m:
                w.Bool(m.PreVote); w.Bool(m.Granted);
                break;
            case AppendEntries m:
                w.I64(m.PrevLogIndex); w.I64(m.PrevLogTerm); w.I64(m.LeaderCommit); w.I32(m.Entries.Count);
                foreach (var e in m.Entries)
                {
                    w.I64(e.Index); w.I64(e.Term); w.U8((byte)e.Kind); w.Bytes(e.Data.Span);
                }

                break;
            case AppendEntriesResponse m:
                w.Bool(m.Success); w.I64(m.Index); w.I64(m.RejectHint); w.I64(m.ConflictTerm);
                break;
            case Heartbeat m:
                w.I64(m.Commit); w.I64(m.Context);
                break;
            case HeartbeatResponse m:
                w.I64(m.Context);
                break;
            case InstallSnapshot m:
                w.I64(m.Metadata.LastIncludedIndex); w.I64(m.Metadata.LastIncludedTerm); w.I64(m.Metadata.Size);
                w.Bytes(m.Metadata.Configuration.Encode()); w.I64(m.Offset); w.Bool(m.Done); w.Bytes(m.Data.Span);
                break;
            case InstallSnapshotResponse m:
                w.I64(m.SnapshotIndex); w.I64(m.NextOffset); w.Bool(m.Done); w.Bool(m.Rejected);
                break;
            case TimeoutNow:
                break;
            default:
                throw new ArgumentException($"{message.GetType().Name} is not a message type this serializer knows.", nameof(message));
        }
    }

    /// <inheritdoc />
    public RaftMessage Deserialize(RaftMessageType type, ReadOnlySequence<byte> source)
    {
        var r = new Reader(source);
        NodeId from = r.U64(), to = r.U64();
        var term = r.I64();
        RaftMessage message = type switch
        {
            RaftMessageType.RequestVote => new RequestVote { From = from, To = to, Term = term, PreVote = r.Bool(), LastLogIndex = r.I64(), LastLogTerm = r.I64(), LeadershipTransfer = r.Bool() },
            RaftMessageType.RequestVoteResponse => new RequestVoteResponse { From = from, To = to, Term = term, PreVote = r.Bool(), Granted = r.Bool() },
            RaftMessageType.AppendEntries => ReadAppendEntries(ref r, from, to, term),
            RaftMessageType.AppendEntriesResponse => new AppendEntriesResponse { From = from, To = to, Term = term, Success = r.Bool(), Index = r.I64(), RejectHint = r.I64(), ConflictTerm = r.I64() },
            RaftMessageType.Heartbeat => new Heartbeat { From = from, To = to, Term = term, Commit = r.I64(), Context = r.I64() },
            RaftMessageType.HeartbeatResponse => new HeartbeatResponse { From = from, To = to, Term = term, Context = r.I64() },
            RaftMessageType.InstallSnapshot => new InstallSnapshot
            {
                From = from, To = to, Term = term,
                Metadata = new SnapshotMetadata(r.I64(), r.I64(), Size: r.I64(), Configuration: DecodeConfiguration(r.Bytes())),
                Offset = r.I64(), Done = r.Bool(), Data = r.Bytes(),
            },
            RaftMessageType.InstallSnapshotResponse => new InstallSnapshotResponse { From = from, To = to, Term = term, SnapshotIndex = r.I64(), NextOffset = r.I64(), Done = r.Bool(), Rejected = r.Bool() },
            RaftMessageType.TimeoutNow => new TimeoutNow { From = from, To = to, Term = term },
            _ => throw new InvalidDataException($"Message type {(byte)type} is unknown to this serializer."),
        };
        r.EnsureEnd(type);
        return message;
    }

    private static AppendEntries ReadAppendEntries(ref Reader r, NodeId from, NodeId to, long term)
    {
        long prevIndex = r.I64(), prevTerm = r.I64(), commit = r.I64();
        const int minEntrySize = 8 + 8 + 1 + 4;
        var count = r.Count(minEntrySize);
        var entries = new LogEntry[count];
        for (var i = 0; i < count; i++)
        {
            entries[i] = new LogEntry(r.I64(), r.I64(), (LogEntryKind)r.U8(), r.Bytes());
        }

        return new AppendEntries { From = from, To = to, Term = term, PrevLogIndex = prevIndex, PrevLogTerm = prevTerm, LeaderCommit = commit, Entries = entries };
    }

    private static ClusterConfiguration DecodeConfiguration(byte[] bytes) =>
        bytes.Length == 0 ? ClusterConfiguration.Empty : ClusterConfiguration.Decode(bytes);

    private readonly ref struct Writer(IBufferWriter<byte> destination)
    {
        public void U64(ulong value)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(destination.GetSpan(8), value);
            destination.Advance(8);
        }

        public void I64(long value) => U64((ulong)value);

        public void I32(int value)
        {
            BinaryPrimitives.WriteInt32LittleEndian(destination.GetSpan(4), value);
            destination.Advance(4);
        }

        public void U8(byte value)
        {
            destination.GetSpan(1)[0] = value;
            destination.Advance(1);
        }

        public void Bool(bool value) => U8(value ? (byte)1 : (byte)0);

        public void Bytes(ReadOnlySpan<byte> value)
        {
            I32(value.Length);
            destination.Write(value);
        }
    }

    private ref struct Reader(ReadOnlySequence<byte> source)
    {
        private SequenceReader<byte> _reader = new(source);

        public ulong U64() => _reader.TryReadLittleEndian(out long value) ? (ulong)value : throw Short("an 8-byte integer");

        public long I64() => _reader.TryReadLittleEndian(out long value) ? value : throw Short("an 8-byte integer");

        public byte U8() => _reader.TryRead(out var value) ? value : throw Short("a byte");

        public bool Bool() => U8() switch
        {
            0 => false,
            1 => true,
            var b => throw new InvalidDataException($"Byte {b} at offset {_reader.Consumed - 1} is not a boolean (0 or 1)."),
        };

        /// <summary>Reads an element count, refusing one that the remaining bytes could not possibly hold.</summary>
        public int Count(int minElementSize)
        {
            var count = _reader.TryReadLittleEndian(out int value) ? value : throw Short("a count");
            return count >= 0 && count <= _reader.Remaining / minElementSize
                ? count
                : throw new InvalidDataException($"A count of {count} does not fit in the {_reader.Remaining} bytes left.");
        }

        public byte[] Bytes()
        {
            var length = Count(1);
            var bytes = new byte[length];
            _reader.TryCopyTo(bytes);
            _reader.Advance(length);
            return bytes;
        }

        public readonly void EnsureEnd(RaftMessageType type)
        {
            if (!_reader.End)
            {
                throw new InvalidDataException($"{_reader.Remaining} unexpected byte(s) after a {type}.");
            }
        }

        private readonly InvalidDataException Short(string what) =>
            new($"The message ends at offset {_reader.Consumed} where {what} was expected.");
    }
}
