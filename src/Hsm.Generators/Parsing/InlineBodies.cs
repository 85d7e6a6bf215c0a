using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Operations;

namespace Hsm.Generators.Parsing;

/// <summary>
/// Writes a trivial body (<see cref="TrivialBodies"/>) as code of the machine class, so the generated step runs it in place
/// instead of calling the state's method (docs/adr/0008). What that removes is the hop through the state object: a call
/// <c>__s_L1.Pinged()</c> whose body does <c>Machine.Count++</c> loads the state object, then its <c>Machine</c>, before
/// the increment; in place it is <c>this.Count++</c>.
/// <para>
/// Every name is written so that it means in the machine class what it meant in the method: the state object's members
/// through the state's field (<see cref="Receiver"/>, replaced by the emitter), <c>Machine</c> as <c>this</c>, the event
/// parameter as the step's event variable (<see cref="EventArgument"/>), locals renamed <c>__u_*</c> inside a block,
/// constants as typed literals, types fully qualified, everything under <c>unchecked</c> (the body was proven unchecked).
/// A body is left as a call when any of this cannot be done exactly: a member or type the machine class cannot access
/// (a state's private field), a write to the event parameter (the call worked on its own copy), a <c>return</c> before the
/// end, a guard with statements before its <c>return</c>, a non-finite floating-point constant.
/// </para>
/// </summary>
internal sealed class InlineBodies
{
    /// <summary>Stands for the state object that declares the method (its field in the machine, or <c>this</c> for the machine's own methods).</summary>
    public const char Receiver = '\u0001';

    /// <summary>Stands for the event variable of the step (the method's event parameter).</summary>
    public const char EventArgument = '\u0002';

    private readonly Compilation _compilation;
    private readonly INamedTypeSymbol _within;
    private readonly INamedTypeSymbol? _stateType;
    private bool _failed;

    private InlineBodies(Compilation compilation, INamedTypeSymbol within, INamedTypeSymbol? stateType)
    {
        _compilation = compilation;
        _within = within;
        _stateType = stateType;
    }

    /// <summary>The body as a statement (an action, entry or exit: <c>unchecked { ... }</c>) or, for a guard, an expression
    /// (<c>unchecked(...)</c>); null when it cannot be written exactly.</summary>
    public static string? Write(Compilation compilation, IMethodSymbol method, IMethodBodyOperation body, INamedTypeSymbol? stateType)
    {
        var machine = MachineOf(method.ContainingType);
        var top = body.BlockBody ?? body.ExpressionBody;
        // A [Conditional] method's calls may be compiled away; its copy would not be.
        if (machine is null || top is null || WritesParameter(top) || method.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == "System.Diagnostics.ConditionalAttribute"))
        {
            return null;
        }

        var printer = new InlineBodies(compilation, machine, stateType);
        var text = method.ReturnsVoid ? printer.VoidBody(top) : printer.ValueBody(top);
        return printer._failed ? null : text;
    }

    /// <summary>The machine class, where the copy goes: the innermost enclosing <c>[StateMachine]</c> class (a region class
    /// between it and the state is not where the code runs, and may have private types the machine cannot see).</summary>
    private static INamedTypeSymbol? MachineOf(INamedTypeSymbol? type)
    {
        for (var t = type; t is not null; t = t.ContainingType)
        {
            if (t.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == "Hsm.StateMachineAttribute"))
            {
                return t;
            }
        }

        return null;
    }

    private string VoidBody(IOperation top)
    {
        if (top is not IBlockOperation { Operations: var statements })
        {
            return Fail();
        }

        var text = new StringBuilder("unchecked {");
        for (var i = 0; i < statements.Length; i++)
        {
            // A closing "return;" is where the body ends anyway; one anywhere else would need a jump.
            if (i == statements.Length - 1 && statements[i] is IReturnOperation { ReturnedValue: null })
            {
                break;
            }

            text.Append(' ').Append(Statement(statements[i]));
        }

        return text.Append(" }").ToString();
    }

    private string ValueBody(IOperation top)
    {
        if (top is IBlockOperation { Operations.Length: 1 } block && block.Operations[0] is IReturnOperation { ReturnedValue: { } value })
        {
            return "unchecked(" + Expression(value, top: true) + ")";
        }

        return Fail();
    }

    private string Statement(IOperation operation)
    {
        switch (operation)
        {
            case IBlockOperation block:
                return "{" + string.Concat(block.Operations.Select(o => " " + Statement(o))) + " }";
            case IExpressionStatementOperation statement:
                return Expression(statement.Operation, top: true) + ";";
            case IEmptyOperation:
                return ";";
            case IVariableDeclarationGroupOperation group:
                var declarations = new StringBuilder();
                // A const local is never read: every use of it is its folded value (written as a literal).
                foreach (var declarator in group.Declarations.SelectMany(d => d.Declarators).Where(d => !d.Symbol.IsConst))
                {
                    declarations.Append(declarations.Length == 0 ? "" : " ").Append(Type(declarator.Symbol.Type)).Append(' ').Append(Local(declarator.Symbol));
                    if (declarator.Initializer is { } initializer)
                    {
                        declarations.Append(" = ").Append(Expression(initializer.Value, top: true));
                    }

                    declarations.Append(';');
                }

                return group.Declarations.Any(d => d.Initializer is not null) ? Fail() : declarations.ToString();
            case IConditionalOperation { IsRef: false } conditional when conditional.Type is null || conditional.Type.SpecialType == SpecialType.System_Void:
                var text = "if (" + Expression(conditional.Condition, top: true) + ") " + Statement(conditional.WhenTrue);
                return conditional.WhenFalse is null ? text : text + " else " + Statement(conditional.WhenFalse);
            default:
                return Fail();
        }
    }

    /// <param name="top">The whole of a statement or condition: written without enclosing parentheses (C# accepts
    /// <c>x = 1;</c> as a statement, not <c>(x = 1);</c>).</param>
    private string Expression(IOperation operation, bool top = false)
    {
        var text = Value(operation, top);
        // The operation tree has no null-forgiving operators: a reference the user's code declared not-null with '!' is
        // written with one, so the generated file (nullable enabled) does not warn where the user's code did not.
        return operation.Type is { IsReferenceType: true } && operation is not IInstanceReferenceOperation &&
               !(operation is IPropertyReferenceOperation property && IsMachineProperty(property)) &&
               !(operation.Parent is ISimpleAssignmentOperation assignment && assignment.Target == operation) && !text.EndsWith("!", System.StringComparison.Ordinal)
            ? text + "!"
            : text;
    }

    private string Value(IOperation operation, bool top)
    {
        if (operation.ConstantValue.HasValue)
        {
            return Constant(operation.ConstantValue.Value, operation.Type);
        }

        string Group(string text) => top ? text : "(" + text + ")";

        switch (operation)
        {
            case IInstanceReferenceOperation when operation.Syntax is Microsoft.CodeAnalysis.CSharp.Syntax.BaseExpressionSyntax:
                // base.X names a member that a derived class may hide with `new`; the receiver written as the derived type would not.
                return Fail();
            case IInstanceReferenceOperation:
                return Receiver.ToString();
            case IParameterReferenceOperation:
                return EventArgument.ToString();
            case ILocalReferenceOperation local:
                return Local(local.Local);
            case IFieldReferenceOperation field when !field.Field.IsStatic && field.Instance is not null:
                return Member(field.Instance, field.Field);
            case IPropertyReferenceOperation property when IsMachineProperty(property):
                return "this";
            case IPropertyReferenceOperation property when property.Instance is not null && Accessible(property.Property.GetMethod) && Accessible(property.Property.SetMethod):
                return Member(property.Instance, property.Property);
            case IUnaryOperation unary:
                return Group(UnaryText(unary.OperatorKind) + Expression(unary.Operand));
            case IBinaryOperation binary:
                return Group(Expression(binary.LeftOperand) + " " + BinaryText(binary.OperatorKind) + " " + Expression(binary.RightOperand));
            case IIncrementOrDecrementOperation step:
                var sign = step.Kind == OperationKind.Decrement ? "--" : "++";
                return Group(step.IsPostfix ? Expression(step.Target) + sign : sign + Expression(step.Target));
            case ICompoundAssignmentOperation compound:
                // The value as written: its implicit widening made explicit (`b += (int)b2`) does not compile for a narrow target.
                var operand = compound.Value is IConversionOperation { IsImplicit: true } widening ? widening.Operand : compound.Value;
                return Group(Expression(compound.Target) + " " + BinaryText(compound.OperatorKind) + "= " + Expression(operand));
            case ISimpleAssignmentOperation assignment:
                return Group(Expression(assignment.Target) + " = " + Expression(assignment.Value));
            case IConversionOperation conversion when conversion.GetConversion().IsIdentity:
                return Expression(conversion.Operand, top);
            case IConversionOperation conversion when conversion.Type is not null:
                return "((" + Type(conversion.Type) + ")" + Expression(conversion.Operand) + ")";
            case IConditionalOperation { WhenFalse: not null } conditional when conditional.Type is not null:
                return Group(Expression(conditional.Condition) + " ? " + Expression(conditional.WhenTrue) + " : " + Expression(conditional.WhenFalse));
            case IDefaultValueOperation { Type: { } defaultType }:
                return "default(" + Type(defaultType) + ")";
            default:
                return Fail();
        }
    }

    private string Member(IOperation instance, ISymbol member) =>
        Accessible(member) ? Expression(instance) + "." + Identifier(member.Name) : Fail();

    private bool IsMachineProperty(IPropertyReferenceOperation property) => TrivialBodies.IsMachineProperty(property, _stateType);

    private bool Accessible(ISymbol? symbol) => symbol is null || _compilation.IsSymbolAccessibleWithin(symbol, _within);

    /// <summary>Fully qualified, with its nullable annotations (nested ones too: <c>(Ref?, int)</c>); a type the machine class
    /// cannot name (not accessible there, or declared <c>file</c> in the user's file) makes the body stay a call.</summary>
    private string Type(ITypeSymbol type) =>
        Accessible(type) && !MentionsFileLocalType(type) ? type.ToDisplayString(TypeFormat) : Fail();

    private static readonly SymbolDisplayFormat TypeFormat =
        SymbolDisplayFormat.FullyQualifiedFormat.AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    private static bool MentionsFileLocalType(ITypeSymbol type) => type switch
    {
        IArrayTypeSymbol array => MentionsFileLocalType(array.ElementType),
        INamedTypeSymbol named => named.IsFileLocal || (named.ContainingType is { } outer && MentionsFileLocalType(outer)) ||
                                  named.TypeArguments.Any(MentionsFileLocalType),
        _ => false,
    };

    private static string Local(ILocalSymbol local) => "__u_" + local.Name;

    private static string Identifier(string name) => SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;

    private string Constant(object? value, ITypeSymbol? type)
    {
        if (type is null)
        {
            return Fail();
        }

        var typeName = Type(type);
        string literal;
        switch (value)
        {
            case null:
                return "default(" + typeName + ")";
            case bool b:
                literal = b ? "true" : "false";
                break;
            case char c:
                literal = "'\\u" + ((int)c).ToString("X4", CultureInfo.InvariantCulture) + "'";
                break;
            // G9/G17 round-trip every float/double (on .NET Framework too, where the generator may run and "R" does not);
            // a negative zero prints as "0" and is written as the negation it is.
            case float f when !float.IsNaN(f) && !float.IsInfinity(f):
                literal = IsNegativeZero(f) ? "-0F" : f.ToString("G9", CultureInfo.InvariantCulture) + "F";
                break;
            case double d when !double.IsNaN(d) && !double.IsInfinity(d):
                literal = IsNegativeZero(d) ? "-0D" : d.ToString("G17", CultureInfo.InvariantCulture) + "D";
                break;
            case long l:
                literal = l.ToString(CultureInfo.InvariantCulture) + "L";
                break;
            case ulong ul:
                literal = ul.ToString(CultureInfo.InvariantCulture) + "UL";
                break;
            case uint ui:
                literal = ui.ToString(CultureInfo.InvariantCulture) + "U";
                break;
            case int or short or sbyte or byte or ushort:
                literal = System.Convert.ToInt32(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
                break;
            default:
                return Fail();
        }

        return "((" + typeName + ")(" + literal + "))";
    }

    private static bool IsNegativeZero(double value) => value == 0 && System.BitConverter.DoubleToInt64Bits(value) < 0;

    private string UnaryText(UnaryOperatorKind kind) => kind switch
    {
        UnaryOperatorKind.BitwiseNegation => "~",
        UnaryOperatorKind.Not => "!",
        UnaryOperatorKind.Plus => "+",
        UnaryOperatorKind.Minus => "-",
        _ => Fail(),
    };

    private string BinaryText(BinaryOperatorKind kind) => kind switch
    {
        BinaryOperatorKind.Add => "+",
        BinaryOperatorKind.Subtract => "-",
        BinaryOperatorKind.Multiply => "*",
        BinaryOperatorKind.Divide => "/",
        BinaryOperatorKind.Remainder => "%",
        BinaryOperatorKind.LeftShift => "<<",
        BinaryOperatorKind.RightShift => ">>",
        BinaryOperatorKind.UnsignedRightShift => ">>>",
        BinaryOperatorKind.And => "&",
        BinaryOperatorKind.Or => "|",
        BinaryOperatorKind.ExclusiveOr => "^",
        BinaryOperatorKind.ConditionalAnd => "&&",
        BinaryOperatorKind.ConditionalOr => "||",
        BinaryOperatorKind.Equals => "==",
        BinaryOperatorKind.NotEquals => "!=",
        BinaryOperatorKind.LessThan => "<",
        BinaryOperatorKind.LessThanOrEqual => "<=",
        BinaryOperatorKind.GreaterThan => ">",
        BinaryOperatorKind.GreaterThanOrEqual => ">=",
        _ => Fail(),
    };

    private string Fail()
    {
        _failed = true;
        return "";
    }

    /// <summary>True when the body writes the event parameter or a field of it: the method worked on its own copy, the step's
    /// event variable must not change.</summary>
    private static bool WritesParameter(IOperation top) =>
        top.Descendants().Any(o => o switch
        {
            ISimpleAssignmentOperation a => RootIsParameter(a.Target),
            ICompoundAssignmentOperation c => RootIsParameter(c.Target),
            IIncrementOrDecrementOperation s => RootIsParameter(s.Target),
            _ => false,
        });

    private static bool RootIsParameter(IOperation target)
    {
        for (var o = target; o is not null;)
        {
            switch (o)
            {
                case IParameterReferenceOperation:
                    return true;
                case IFieldReferenceOperation { Instance: { Type.IsValueType: true } instance }:
                    o = instance;
                    break;
                case IPropertyReferenceOperation { Instance: { Type.IsValueType: true } instance }:
                    o = instance;
                    break;
                default:
                    return false;
            }
        }

        return false;
    }
}
