using System.Buffers;
using HsmRaft.Messages;
using HsmRaft.Transport;
using ProtoBuf.Meta;
using static HsmRaft.Serialization.Protobuf.DtoMapping;

namespace HsmRaft.Serialization.Protobuf;

/// <summary>
/// The default <see cref="IRaftMessageSerializer"/>: each message is a Protocol Buffers message (schema in
/// docs/transports.md), written with protobuf-net. Entry and snapshot payloads are opaque <c>bytes</c> fields written
/// straight from the caller's memory. Thread-safe; use <see cref="Instance"/>.
/// </summary>
public sealed class ProtobufRaftMessageSerializer : IRaftMessageSerializer
{
    private static readonly TypeModel Model = CreateModel();

    private ProtobufRaftMessageSerializer()
    {
    }

    /// <summary>The shared instance.</summary>
    public static ProtobufRaftMessageSerializer Instance { get; } = new();

    /// <inheritdoc />
    public void Serialize(RaftMessage message, IBufferWriter<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(destination);
        switch (message)
        {
            case RequestVote m: Model.Serialize(destination, ToDto(m)); break;
            case RequestVoteResponse m: Model.Serialize(destination, ToDto(m)); break;
            case AppendEntries m: Model.Serialize(destination, ToDto(m)); break;
            case AppendEntriesResponse m: Model.Serialize(destination, ToDto(m)); break;
            case Heartbeat m: Model.Serialize(destination, ToDto(m)); break;
            case HeartbeatResponse m: Model.Serialize(destination, ToDto(m)); break;
            case InstallSnapshot m: Model.Serialize(destination, ToDto(m)); break;
            case InstallSnapshotResponse m: Model.Serialize(destination, ToDto(m)); break;
            case TimeoutNow m: Model.Serialize(destination, ToDto(m)); break;
            default: throw new ArgumentException($"{message.GetType().Name} is not a message type this serializer knows.", nameof(message));
        }
    }

    /// <inheritdoc />
    public RaftMessage Deserialize(RaftMessageType type, ReadOnlySequence<byte> source)
    {
        try
        {
            return type switch
            {
                RaftMessageType.RequestVote => FromDto(Model.Deserialize<RequestVoteDto>(source)),
                RaftMessageType.RequestVoteResponse => FromDto(Model.Deserialize<RequestVoteResponseDto>(source)),
                RaftMessageType.AppendEntries => ReadAppendEntries(source),
                RaftMessageType.AppendEntriesResponse => FromDto(Model.Deserialize<AppendEntriesResponseDto>(source)),
                RaftMessageType.Heartbeat => FromDto(Model.Deserialize<HeartbeatDto>(source)),
                RaftMessageType.HeartbeatResponse => FromDto(Model.Deserialize<HeartbeatResponseDto>(source)),
                RaftMessageType.InstallSnapshot => FromDto(Model.Deserialize<InstallSnapshotDto>(source)),
                RaftMessageType.InstallSnapshotResponse => FromDto(Model.Deserialize<InstallSnapshotResponseDto>(source)),
                RaftMessageType.TimeoutNow => FromDto(Model.Deserialize<TimeoutNowDto>(source)),
                _ => throw new InvalidDataException($"Message type {(byte)type} is unknown to this serializer."),
            };
        }
        catch (Exception e) when (e is not InvalidDataException and not OutOfMemoryException)
        {
            // protobuf-net reports bad input with several exception types; callers expect one.
            throw new InvalidDataException($"The bytes are not a valid protobuf {type}: {e.Message}", e);
        }
    }

    private static AppendEntries ReadAppendEntries(ReadOnlySequence<byte> source)
    {
        AppendEntriesPrecheck.Check(source);
        return FromDto(Model.Deserialize<AppendEntriesDto>(source));
    }

    private static TypeModel CreateModel()
    {
        var model = RuntimeTypeModel.Create("HsmRaft");
        foreach (var type in new[]
                 {
                     typeof(RequestVoteDto), typeof(RequestVoteResponseDto), typeof(TimeoutNowDto), typeof(EntryDto),
                     typeof(AppendEntriesDto), typeof(AppendEntriesResponseDto), typeof(HeartbeatDto), typeof(HeartbeatResponseDto),
                     typeof(MemberDto), typeof(ConfigurationDto), typeof(SnapshotMetadataDto), typeof(InstallSnapshotDto),
                     typeof(InstallSnapshotResponseDto),
                 })
        {
            model.Add(type, applyDefaultBehaviour: true);
        }

        model.CompileInPlace();
        return model;
    }
}
