using Hsm.Generators.Model;
using Microsoft.CodeAnalysis;

namespace Hsm.Generators.Parsing;

/// <summary>The parser's output: the model (null when errors prevent generation) and the diagnostics, which travel on their
/// own pipeline. Both compare by value (a <see cref="Diagnostic"/> equals another with the same descriptor, arguments and
/// location), so an edit elsewhere leaves this step Unchanged. The diagnostics keep their real source locations so that
/// <c>#pragma warning disable</c> applies to them.</summary>
internal sealed record ParseResult(MachineModel? Model, EquatableArray<Diagnostic> Diagnostics);

/// <summary>A call that dispatches an event to a machine, for the "event handled nowhere" check.</summary>
internal sealed record DispatchSite(string Machine, string EventType, string EventName, Location Location);
