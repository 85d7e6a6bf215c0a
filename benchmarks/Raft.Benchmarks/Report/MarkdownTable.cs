using System.Text;

namespace HsmRaft.Benchmarks.Report;

/// <summary>A markdown table whose columns are padded so it also reads well on a console.</summary>
public sealed class MarkdownTable(params string[] headers)
{
    private readonly List<string[]> rows = [];

    public MarkdownTable Add(params string[] cells)
    {
        if (cells.Length != headers.Length)
            throw new ArgumentException($"A row needs {headers.Length} cells, got {cells.Length}.", nameof(cells));
        rows.Add(cells);
        return this;
    }

    public override string ToString()
    {
        var widths = headers.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        var text = new StringBuilder();
        AppendRow(text, headers, widths);
        AppendRow(text, widths.Select(static w => new string('-', w)).ToArray(), widths);
        foreach (var row in rows) AppendRow(text, row, widths);
        return text.ToString();
    }

    private static void AppendRow(StringBuilder text, string[] cells, int[] widths)
    {
        text.Append('|');
        for (var i = 0; i < cells.Length; i++) text.Append(' ').Append(cells[i].PadRight(widths[i])).Append(" |");
        text.Append('\n');
    }
}
