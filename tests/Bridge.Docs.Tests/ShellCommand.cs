using System.Text;

namespace Bridge.Docs.Tests;

/// <summary>
/// One simple command of a shell line shown in the docs: the <c>NAME=value</c> assignments before it and its words,
/// quotes removed. Enough shell for what the docs show: continuation lines, comments, quotes, <c>export</c>,
/// <c>(…)</c> subshells and <c>&amp;&amp;</c>, <c>||</c>, <c>;</c>, <c>|</c> between commands.
/// </summary>
internal sealed record ShellCommand(int Line, IReadOnlyList<KeyValuePair<string, string>> Assignments, IReadOnlyList<string> Words)
{
    public string Program => Words.Count > 0 ? Words[0] : "";

    public IEnumerable<string> Arguments => Words.Skip(1);

    /// <summary>The value after an option (<c>--project X</c>), or null.</summary>
    public string? Option(string name) =>
        Words.Select((word, index) => (word, index)).Where(w => w.word == name && w.index + 1 < Words.Count).Select(w => Words[w.index + 1]).FirstOrDefault();

    /// <summary>The words after <c>--</c> (what <c>dotnet run</c> passes to the program).</summary>
    public IReadOnlyList<string> AfterDoubleDash => Words.SkipWhile(w => w != "--").Skip(1).ToList();

    /// <summary>Every command of a code block's lines, continuation lines joined.</summary>
    public static IEnumerable<ShellCommand> Parse(IEnumerable<Markdown.SourceLine> lines)
    {
        var pending = new StringBuilder();
        var first = 0;
        foreach (var line in lines)
        {
            if (pending.Length == 0)
            {
                first = line.Number;
            }

            var text = line.Text.TrimEnd();
            if (text.EndsWith('\\'))
            {
                pending.Append(text[..^1]).Append(' ');
                continue;
            }

            pending.Append(text);
            foreach (var command in Split(first, pending.ToString()))
            {
                yield return command;
            }

            pending.Clear();
        }
    }

    private static IEnumerable<ShellCommand> Split(int line, string text)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var quote = '\0';
        var inWord = false;
        var commands = new List<ShellCommand>();

        void EndWord()
        {
            if (inWord)
            {
                words.Add(word.ToString());
                word.Clear();
                inWord = false;
            }
        }

        void EndCommand()
        {
            EndWord();
            if (words.Count > 0)
            {
                commands.Add(Build(line, words));
            }

            words = [];
        }

        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quote != '\0')
            {
                if (c == quote)
                {
                    quote = '\0';
                }
                else
                {
                    word.Append(c);
                }

                continue;
            }

            switch (c)
            {
                case '"' or '\'':
                    quote = c;
                    inWord = true;
                    break;
                case '#' when !inWord:
                    i = text.Length;
                    break;
                case ' ' or '\t':
                    EndWord();
                    break;
                case '&' or '|' or ';' or '(' or ')':
                    EndCommand();
                    break;
                default:
                    word.Append(c);
                    inWord = true;
                    break;
            }
        }

        EndCommand();
        return commands;
    }

    private static ShellCommand Build(int line, List<string> words)
    {
        var rest = words.SkipWhile(w => w == "export").ToList();
        var assignments = new List<KeyValuePair<string, string>>();
        while (rest.Count > 0 && rest[0].IndexOf('=', StringComparison.Ordinal) is > 0 and var at && !rest[0].StartsWith('-'))
        {
            assignments.Add(new(rest[0][..at], rest[0][(at + 1)..]));
            rest.RemoveAt(0);
        }

        return new ShellCommand(line, assignments, rest);
    }
}
