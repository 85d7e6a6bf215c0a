using System.Collections.Immutable;
using System.Linq;
using Hsm.Generators.Diagnostics;
using Hsm.Generators.Emit;
using Hsm.Generators.Model;
using Hsm.Generators.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Hsm.Generators;

/// <summary>
/// Compiles every <c>[StateMachine]</c> class into dispatch code. Pipeline: find the attribute → parse symbols into a
/// value-equal <see cref="MachineModel"/> (diagnostics split off onto their own output) → emit source. A second, cheap
/// pipeline checks calls to <c>Dispatch</c>/<c>Send</c> for event types no state handles.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class HsmGenerator : IIncrementalGenerator
{
    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var parsed = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                "Hsm.StateMachineAttribute",
                static (node, _) => node is ClassDeclarationSyntax,
                static (ctx, ct) => MachineParser.Parse((INamedTypeSymbol)ctx.TargetSymbol, ctx.SemanticModel.Compilation, ct))
            .WithTrackingName(TrackingNames.Parse);

        var models = parsed.Select(static (r, _) => r.Model).WithTrackingName(TrackingNames.Model);
        context.RegisterSourceOutput(models, static (spc, model) =>
        {
            if (model is not null)
            {
                spc.AddSource(HintName(model), Emitter.Emit(model));
            }
        });

        var diagnostics = parsed.Select(static (r, _) => r.Diagnostics).WithTrackingName(TrackingNames.Diagnostics);
        context.RegisterSourceOutput(diagnostics, static (spc, list) =>
        {
            foreach (var d in list)
            {
                spc.ReportDiagnostic(d);
            }
        });

        var sites = context.SyntaxProvider
            .CreateSyntaxProvider(static (node, _) => DispatchSiteParser.IsCandidate(node), static (ctx, ct) => DispatchSiteParser.Parse(ctx, ct))
            .Where(static s => s is not null)
            .WithTrackingName(TrackingNames.DispatchSites);
        var machineEvents = models
            .Where(static m => m is not null)
            .Select(static (m, _) => new MachineEvents(m!.FullName, m.Name, m.Events.Select(e => e.TypeName).ToEquatableArray()))
            .Collect()
            .WithTrackingName(TrackingNames.MachineEvents);
        context.RegisterSourceOutput(sites.Combine(machineEvents), static (spc, pair) => CheckDispatchSite(spc, pair.Left!, pair.Right));
    }

    private static void CheckDispatchSite(SourceProductionContext spc, DispatchSite site, ImmutableArray<MachineEvents> machines)
    {
        foreach (var m in machines)
        {
            if (m.FullName == site.Machine && !m.EventTypes.Contains(site.EventType))
            {
                spc.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.EventNotHandled, site.Location, m.Name, site.EventName));
            }
        }
    }

    private static string HintName(MachineModel model)
    {
        var name = (model.Namespace is null ? "" : model.Namespace + ".") + string.Join(".", model.ContainingTypes.Select(c => c.Split(' ').Last())) +
                   (model.ContainingTypes.Count > 0 ? "." : "") + model.Name;
        var chars = name.Select(c => char.IsLetterOrDigit(c) || c == '.' || c == '_' ? c : '_').ToArray();
        return new string(chars) + ".g.cs";
    }

    private sealed record MachineEvents(string FullName, string Name, EquatableArray<string> EventTypes);
}
