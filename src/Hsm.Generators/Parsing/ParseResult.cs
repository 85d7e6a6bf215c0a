using System.Collections.Immutable;
using Hsm.Generators.Model;
using Microsoft.CodeAnalysis;

namespace Hsm.Generators.Parsing;

/// <summary>The parser's output: the model (null when errors prevent generation) and the diagnostics, which travel on their
/// own pipeline so that the model stays value-equal and cacheable.</summary>
internal sealed class ParseResult
{
    public ParseResult(MachineModel? model, ImmutableArray<Diagnostic> diagnostics)
    {
        Model = model;
        Diagnostics = diagnostics;
    }

    public MachineModel? Model { get; }

    public ImmutableArray<Diagnostic> Diagnostics { get; }
}

/// <summary>A call that dispatches an event to a machine, for the "event handled nowhere" check.</summary>
internal sealed record DispatchSite(string Machine, string EventType, string EventName, Location Location);
