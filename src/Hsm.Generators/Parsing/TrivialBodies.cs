using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Hsm.Generators.Parsing;

/// <summary>
/// Decides whether the body of an entry, exit, guard or action method is <em>trivial</em>: the generator can prove it
/// neither throws nor calls anything. Such code cannot re-enter the machine (no call can reach <c>Dispatch</c>) and cannot
/// fault in the middle of a step, so a step that runs only trivial user code needs none of the run-to-completion
/// bookkeeping: no busy flag around it, no queue to drain after it, no record of where it is for an exception message
/// (docs/adr/0007).
/// <para>
/// What counts is deliberately narrow and decided on the operation tree: reads and writes of locals, parameters, and
/// instance fields and auto-properties reached through <c>this</c>, <c>Machine</c> or a value; constants; built-in unchecked
/// arithmetic, comparison and logic on primitive types and enums (no integer division or remainder, which can throw);
/// identity conversions, numeric and enum conversions between primitive types (not decimal's, which throw on overflow
/// even unchecked), upcasts; <c>if</c>/<c>?:</c>, blocks and <c>return</c>. Anything else (a call,
/// a property with accessor bodies, an allocation, an array element, a static field, a user-defined operator,
/// checked arithmetic, a loop, a lambda) makes the body non-trivial, and the step keeps the full guarded run.
/// </para>
/// </summary>
internal sealed class TrivialBodies
{
    /// <summary>Bodies larger than this are not analysed (treated as non-trivial): the analysis stays cheap.</summary>
    private const int MaxOperations = 256;

    private readonly System.Func<Compilation> _bindingCompilation;
    private readonly bool _writeInline;
    private INamedTypeSymbol? _stateType;
    private Compilation? _compilation;
    private readonly Dictionary<IMethodSymbol, (bool Trivial, string? Inline)> _cache = new(SymbolEqualityComparer.Default);
    private int _budget;

    /// <param name="bindingCompilation">Builds (once, on first use) the compilation to bind bodies in. It must hold the
    /// <c>State&lt;TMachine&gt;</c> base that the generator adds to state classes declared without one, or <c>Machine</c>
    /// would not bind: the generator sees the compilation without its own output.</param>
    /// <param name="writeInline">Also write each trivial body as machine code (<see cref="Inline"/>); false when the machine
    /// says <c>InlineTrivialBodies = false</c>.</param>
    public TrivialBodies(System.Func<Compilation> bindingCompilation, bool writeInline)
    {
        _bindingCompilation = bindingCompilation;
        _writeInline = writeInline;
    }

    public bool IsTrivial(IMethodSymbol method, CancellationToken ct) => Analysed(method, ct).Trivial;

    /// <summary>The trivial body written as code of the machine class (<see cref="InlineBodies"/>), or null when the body is
    /// not trivial or cannot be written exactly there: the step then calls the method.</summary>
    public string? Inline(IMethodSymbol method, CancellationToken ct) => Analysed(method, ct).Inline;

    private (bool Trivial, string? Inline) Analysed(IMethodSymbol method, CancellationToken ct)
    {
        if (!_cache.TryGetValue(method, out var known))
        {
            var trivial = Analyse(method, ct, out var inline);
            _cache[method] = known = (trivial, inline);
        }

        return known;
    }

    private bool Analyse(IMethodSymbol method, CancellationToken ct, out string? inline)
    {
        inline = null;
        var implementation = method.PartialImplementationPart ?? method;
        if (implementation.IsAbstract || implementation.IsVirtual || implementation.IsOverride || implementation.IsExtern ||
            implementation.IsAsync || implementation.ReturnsByRef || implementation.ReturnsByRefReadonly ||
            implementation.DeclaringSyntaxReferences.Length != 1)
        {
            return false;
        }

        if (implementation.DeclaringSyntaxReferences[0].GetSyntax(ct) is not MethodDeclarationSyntax syntax ||
            (syntax.Body is null && syntax.ExpressionBody is null))
        {
            return false;
        }

        if (_compilation is null)
        {
            // Warnings the user's #pragma silences are reported (as suppressed) for the bodies to write: one with any warning
            // is not run in place.
            var binding = _bindingCompilation();
            _compilation = _writeInline ? binding.WithOptions(binding.Options.WithReportSuppressedDiagnostics(true)) : binding;
            // Resolved in the binding compilation: Machine's symbols there are not those of the original compilation.
            _stateType = _compilation.GetTypeByMetadataName("Hsm.State`1");
        }
        if (!_compilation.ContainsSyntaxTree(syntax.SyntaxTree))
        {
            return false;
        }

        var model = _compilation.GetSemanticModel(syntax.SyntaxTree);
        if (model.GetOperation(syntax, ct) is not IMethodBodyOperation body)
        {
            return false;
        }

        _budget = MaxOperations;
        if (syntax.ContainsDiagnostics || !Safe(body.BlockBody ?? body.ExpressionBody))
        {
            return false;
        }

        // A body the compiler warns about (whether or not the user's file silences it) stays a call: its copy would warn in the
        // generated file, where the user's #pragma does not reach.
        if (_writeInline && model.GetDeclaredSymbol(syntax, ct) is { } bound &&
            !model.GetDiagnostics(syntax.Span, ct).Any(d => d.Severity >= DiagnosticSeverity.Warning))
        {
            inline = InlineBodies.Write(_compilation, bound, body, _stateType);
        }

        return true;
    }

    private bool Safe(IOperation? operation)
    {
        if (operation is null)
        {
            return true;
        }

        if (--_budget < 0)
        {
            return false;
        }

        switch (operation)
        {
            case IBlockOperation block:
                return AllSafe(block.Operations);
            case IExpressionStatementOperation statement:
                return Safe(statement.Operation);
            case IReturnOperation ret:
                return Safe(ret.ReturnedValue);
            case IEmptyOperation:
            case ILiteralOperation:
            case IDefaultValueOperation:
            case IInstanceReferenceOperation:
            case IParameterReferenceOperation:
                return true;
            case ILocalReferenceOperation local:
                return !local.Local.IsRef;
            case IVariableDeclarationGroupOperation:
            case IVariableDeclarationOperation:
            case IVariableDeclaratorOperation:
            case IVariableInitializerOperation:
                return AllSafe(operation.ChildOperations);
            case IConditionalOperation conditional:
                return !conditional.IsRef && Safe(conditional.Condition) && Safe(conditional.WhenTrue) && Safe(conditional.WhenFalse);
            case IFieldReferenceOperation field:
                if (field.Field.IsStatic)
                {
                    // A constant is folded; any other static field may run a type initializer.
                    return field.Field.IsConst;
                }

                return NeverNull(field.Instance) && Safe(field.Instance);
            case IPropertyReferenceOperation property:
                return IsMachineProperty(property) ||
                       (IsAutoProperty(property.Property) && NeverNull(property.Instance) && Safe(property.Instance));
            case IUnaryOperation unary:
                return unary.OperatorMethod is null && !unary.IsChecked && !unary.IsLifted && IsPrimitive(unary.Type) && Safe(unary.Operand);
            case IBinaryOperation binary:
                return binary.OperatorMethod is null && !binary.IsChecked && !binary.IsLifted &&
                       IsPrimitive(binary.LeftOperand.Type) && IsPrimitive(binary.RightOperand.Type) &&
                       !CanDivideByZero(binary.OperatorKind, binary.Type) &&
                       Safe(binary.LeftOperand) && Safe(binary.RightOperand);
            case IIncrementOrDecrementOperation step:
                return step.OperatorMethod is null && !step.IsChecked && !step.IsLifted && IsPrimitive(step.Type) && Safe(step.Target);
            case ICompoundAssignmentOperation compound:
                return compound.OperatorMethod is null && !compound.IsChecked && !compound.IsLifted &&
                       IsPrimitive(compound.Target.Type) && IsPrimitive(compound.Value.Type) &&
                       !compound.InConversion.IsUserDefined && !compound.OutConversion.IsUserDefined &&
                       !CanDivideByZero(compound.OperatorKind, compound.Target.Type) &&
                       Safe(compound.Target) && Safe(compound.Value);
            case ISimpleAssignmentOperation assignment:
                return !assignment.IsRef && Safe(assignment.Target) && Safe(assignment.Value);
            case IConversionOperation conversion:
                return SafeConversion(conversion) && Safe(conversion.Operand);
            default:
                return false;
        }
    }

    private bool AllSafe(IEnumerable<IOperation> operations)
    {
        foreach (var o in operations)
        {
            if (!Safe(o))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A field's receiver that cannot be null: <c>this</c>, the state's <c>Machine</c> (set before any user code
    /// runs), or a value (a struct field, a struct event parameter, a struct local).</summary>
    private bool NeverNull(IOperation? instance) => instance switch
    {
        IInstanceReferenceOperation => true,
        IPropertyReferenceOperation property => IsMachineProperty(property),
        { Type.IsValueType: true } value => value.Type.OriginalDefinition.SpecialType != SpecialType.System_Nullable_T,
        _ => false,
    };

    private bool IsMachineProperty(IPropertyReferenceOperation property) => IsMachineProperty(property, _stateType);

    /// <summary><c>Machine</c>, the property of <c>State&lt;TMachine&gt;</c> (<paramref name="stateType"/>), read on the state itself.</summary>
    internal static bool IsMachineProperty(IPropertyReferenceOperation property, INamedTypeSymbol? stateType) =>
        stateType is not null && property.Property.Name == "Machine" && !property.Property.IsStatic &&
        property.Arguments.Length == 0 && property.Instance is IInstanceReferenceOperation &&
        SymbolEqualityComparer.Default.Equals(property.Property.ContainingType?.OriginalDefinition, stateType);

    /// <summary>An instance property whose accessors the compiler writes (a field read or write): declared in source as
    /// <c>{ get; set; }</c> / <c>{ get; init; }</c> without bodies, or a positional record's parameter. Not virtual,
    /// abstract, partial, an indexer or ref-returning; any accessor with a body (including one using <c>field</c>) is a call.</summary>
    private static bool IsAutoProperty(IPropertySymbol property)
    {
        if (property.IsStatic || property.IsAbstract || property.IsVirtual || property.IsOverride || property.IsExtern ||
            property.IsIndexer || property.ReturnsByRef || property.ReturnsByRefReadonly || property.DeclaringSyntaxReferences.Length != 1 ||
            property.ContainingType?.TypeKind is not (TypeKind.Class or TypeKind.Struct))
        {
            return false;
        }

        switch (property.DeclaringSyntaxReferences[0].GetSyntax())
        {
            case ParameterSyntax:
                return property.ContainingType.IsRecord;
            case PropertyDeclarationSyntax declaration:
                if (declaration.ExpressionBody is not null || declaration.AccessorList is null ||
                    declaration.Modifiers.Any(m => m.IsKind(SyntaxKind.PartialKeyword)))
                {
                    return false;
                }

                foreach (var accessor in declaration.AccessorList.Accessors)
                {
                    if (accessor.Body is not null || accessor.ExpressionBody is not null)
                    {
                        return false;
                    }
                }

                return true;
            default:
                return false;
        }
    }

    private static bool SafeConversion(IConversionOperation operation)
    {
        var conversion = operation.GetConversion();
        if (conversion.IsUserDefined || operation.IsTryCast)
        {
            return false;
        }

        if (conversion.IsIdentity || conversion.IsConstantExpression || conversion.IsNullLiteral)
        {
            return true;
        }

        if (conversion.IsNumeric || conversion.IsEnumeration)
        {
            // Between primitive types and enums an explicit conversion throws only in a checked context, an implicit one
            // never. Decimal conversions are numeric too but throw on overflow even unchecked ((int)1e20m).
            return IsPrimitive(operation.Operand.Type) && IsPrimitive(operation.Type) && (conversion.IsImplicit || !operation.IsChecked);
        }

        // An upcast (to a base class or an interface) never throws; a downcast, boxing and unboxing can or allocate.
        return conversion.IsImplicit && conversion.IsReference;
    }

    private static bool CanDivideByZero(BinaryOperatorKind kind, ITypeSymbol? type) =>
        (kind == BinaryOperatorKind.Divide || kind == BinaryOperatorKind.Remainder) &&
        type?.SpecialType is not (SpecialType.System_Single or SpecialType.System_Double);

    private static bool IsPrimitive(ITypeSymbol? type)
    {
        if (type is null)
        {
            return false;
        }

        if (type.TypeKind == TypeKind.Enum)
        {
            return true;
        }

        switch (type.SpecialType)
        {
            case SpecialType.System_Boolean:
            case SpecialType.System_Char:
            case SpecialType.System_SByte:
            case SpecialType.System_Byte:
            case SpecialType.System_Int16:
            case SpecialType.System_UInt16:
            case SpecialType.System_Int32:
            case SpecialType.System_UInt32:
            case SpecialType.System_Int64:
            case SpecialType.System_UInt64:
            case SpecialType.System_Single:
            case SpecialType.System_Double:
                return true;
            default:
                return false;
        }
    }
}
