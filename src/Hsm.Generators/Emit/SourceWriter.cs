using System.Text;

namespace Hsm.Generators.Emit;

/// <summary>An indented text writer for generated C# (four spaces, LF line endings, deterministic output).</summary>
internal sealed class SourceWriter
{
    private readonly StringBuilder _builder = new();
    private int _indent;

    public SourceWriter Line(string text = "")
    {
        if (text.Length > 0)
        {
            _builder.Append(' ', _indent * 4);
            _builder.Append(text);
        }

        _builder.Append('\n');
        return this;
    }

    /// <summary>Writes <paramref name="header"/> (if any) and an opening brace, and indents.</summary>
    public SourceWriter Open(string? header = null)
    {
        if (header is not null)
        {
            Line(header);
        }

        Line("{");
        _indent++;
        return this;
    }

    /// <summary>Outdents and writes a closing brace followed by <paramref name="suffix"/>.</summary>
    public SourceWriter Close(string suffix = "")
    {
        _indent--;
        Line("}" + suffix);
        return this;
    }

    /// <summary>Where the next line will be written, for <see cref="Since"/> and <see cref="InsertLine"/>.</summary>
    public int Position => _builder.Length;

    /// <summary>The text written since <paramref name="position"/>.</summary>
    public string Since(int position) => _builder.ToString(position, _builder.Length - position);

    /// <summary>Inserts a line at <paramref name="position"/> with the current indentation: for an attribute that depends on
    /// the member written after it.</summary>
    public void InsertLine(int position, string text) => _builder.Insert(position, new string(' ', _indent * 4) + text + "\n");

    public override string ToString() => _builder.ToString();
}
