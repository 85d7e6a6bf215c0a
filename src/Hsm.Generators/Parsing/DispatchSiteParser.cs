using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Hsm.Generators.Parsing;

/// <summary>Finds <c>machine.Dispatch(e)</c>, <c>machine.DispatchNext(e)</c> and <c>machine.Send(e)</c> calls on a
/// <c>[StateMachine]</c> type, recording the event type for the "handled nowhere" check (HSM0008).</summary>
internal static class DispatchSiteParser
{
    public static bool IsCandidate(SyntaxNode node) =>
        node is InvocationExpressionSyntax
        {
            Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Dispatch" or "DispatchNext" or "Send" },
            ArgumentList.Arguments.Count: 1,
        };

    public static DispatchSite? Parse(GeneratorSyntaxContext ctx, CancellationToken ct)
    {
        var invocation = (InvocationExpressionSyntax)ctx.Node;
        var access = (MemberAccessExpressionSyntax)invocation.Expression;
        if (ctx.SemanticModel.GetTypeInfo(access.Expression, ct).Type is not INamedTypeSymbol receiver ||
            !HasStateMachineAttribute(receiver))
        {
            return null;
        }

        ITypeSymbol? eventType = null;
        if (access.Name is GenericNameSyntax { TypeArgumentList.Arguments.Count: 1 } generic)
        {
            eventType = ctx.SemanticModel.GetTypeInfo(generic.TypeArgumentList.Arguments[0], ct).Type;
        }

        eventType ??= ctx.SemanticModel.GetTypeInfo(invocation.ArgumentList.Arguments[0].Expression, ct).Type;
        if (eventType is null || eventType.TypeKind == TypeKind.Error || eventType.TypeKind == TypeKind.TypeParameter)
        {
            return null;
        }

        return new DispatchSite(
            receiver.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            eventType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            eventType.Name,
            invocation.GetLocation());
    }

    private static bool HasStateMachineAttribute(INamedTypeSymbol type)
    {
        foreach (var attribute in type.GetAttributes())
        {
            if (attribute.AttributeClass?.ToDisplayString() == "Hsm.StateMachineAttribute")
            {
                return true;
            }
        }

        return false;
    }
}
