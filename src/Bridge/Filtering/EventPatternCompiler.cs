using System.Globalization;
using System.Text.Json;

namespace Bridge.Filtering;

/// <summary>
/// Compiles the JSON of EventBridge / Lambda event filtering patterns into a <see cref="RecordFilter"/>, once, at start-up.
/// </summary>
/// <remarks>
/// <para>Accepted input, the same JSON a Lambda event source mapping holds: one pattern object; an array of them (a record
/// passes when any matches); or a whole <c>FilterCriteria</c> object, <c>{"Filters":[{"Pattern":"…"}]}</c>, whose patterns
/// are JSON strings.</para>
/// <para>A pattern's fields are AND-ed; a field holding an object descends into the record; a field holding an array lists
/// the values that leaf may have (OR): strings, numbers, <c>true</c>/<c>false</c>/<c>null</c>, or one-key operator objects
/// (<c>prefix</c>, <c>suffix</c>, <c>equals-ignore-case</c>, <c>anything-but</c>, <c>numeric</c>, <c>exists</c>).
/// <c>"$or": [pattern, …]</c> ORs sub-patterns. Anything else is refused with a message that names the field.</para>
/// </remarks>
internal static class EventPatternCompiler
{
    /// <summary>The most AND-combinations <c>$or</c> may expand to: past it, a pattern is surely a mistake.</summary>
    public const int MaxAlternatives = 1024;

    /// <summary>The operators, as they are named in messages.</summary>
    public const string Operators = "prefix, suffix, equals-ignore-case, anything-but, numeric, exists";

    /// <exception cref="FormatException">The text is not a pattern; the message says where and why.</exception>
    public static RecordFilter Compile(string json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new FormatException($"it is not JSON ({e.Message})");
        }

        using (document)
        {
            var alternatives = new List<List<Condition>>();
            foreach (var pattern in Patterns(document.RootElement))
            {
                alternatives.AddRange(CompileObject(pattern, []));
                if (alternatives.Count > MaxAlternatives)
                {
                    throw new FormatException($"it expands to more than {MaxAlternatives} alternatives ($or and pattern arrays multiply)");
                }
            }

            return new RecordFilter(alternatives);
        }
    }

    private static IEnumerable<JsonElement> Patterns(JsonElement root)
    {
        if (root.ValueKind == JsonValueKind.Array)
        {
            if (root.GetArrayLength() == 0)
            {
                throw new FormatException("the array of patterns is empty");
            }

            return root.EnumerateArray().Select(p => p.ValueKind == JsonValueKind.Object ? p : throw new FormatException("each pattern of the array must be a JSON object"));
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("a pattern is a JSON object (or an array of them)");
        }

        return root.TryGetProperty("Filters", out var filters) && root.EnumerateObject().Count() == 1 ? FilterCriteria(filters) : [root];
    }

    /// <summary>A pasted <c>FilterCriteria</c>: each <c>Filters[].Pattern</c> is a pattern's JSON as a string.</summary>
    private static List<JsonElement> FilterCriteria(JsonElement filters)
    {
        if (filters.ValueKind != JsonValueKind.Array || filters.GetArrayLength() == 0)
        {
            throw new FormatException("FilterCriteria.Filters must be a non-empty array of {\"Pattern\": \"…\"}");
        }

        var patterns = new List<JsonElement>();
        foreach (var filter in filters.EnumerateArray())
        {
            if (filter.ValueKind != JsonValueKind.Object || !filter.TryGetProperty("Pattern", out var text) || text.ValueKind != JsonValueKind.String)
            {
                throw new FormatException("each FilterCriteria.Filters element must be {\"Pattern\": \"<pattern JSON as a string>\"}");
            }

            try
            {
                using var inner = JsonDocument.Parse(text.GetString()!);
                patterns.Add(inner.RootElement.ValueKind == JsonValueKind.Object
                    ? inner.RootElement.Clone()
                    : throw new FormatException("a FilterCriteria Pattern must hold a JSON object"));
            }
            catch (JsonException e)
            {
                throw new FormatException($"a FilterCriteria Pattern is not JSON ({e.Message})");
            }
        }

        return patterns;
    }

    /// <summary>The alternatives (each an AND of conditions) an object of the pattern at <paramref name="path"/> stands for.</summary>
    private static List<List<Condition>> CompileObject(JsonElement pattern, string[] path)
    {
        List<List<Condition>> result = [[]];
        foreach (var field in pattern.EnumerateObject())
        {
            string[] fieldPath = [.. path, field.Name];
            List<List<Condition>> options = field.Name == "$or"
                ? CompileOr(field.Value, path)
                : field.Value.ValueKind switch
                {
                    JsonValueKind.Object => CompileObject(field.Value, fieldPath),
                    JsonValueKind.Array => [[CompileLeaf(field.Value, fieldPath)]],
                    _ => throw new FormatException($"'{Name(fieldPath)}' must be an array of values or an object, not {Describe(field.Value)}"),
                };
            result = [.. result.SelectMany(left => options.Select(right => (List<Condition>)[.. left, .. right]))];
            if (result.Count > MaxAlternatives)
            {
                throw new FormatException($"it expands to more than {MaxAlternatives} alternatives ($or and pattern arrays multiply)");
            }
        }

        return result;
    }

    private static List<List<Condition>> CompileOr(JsonElement alternatives, string[] path)
    {
        if (alternatives.ValueKind != JsonValueKind.Array || alternatives.GetArrayLength() < 2
            || alternatives.EnumerateArray().Any(a => a.ValueKind != JsonValueKind.Object))
        {
            throw new FormatException($"'{Name([.. path, "$or"])}' must be an array of at least two pattern objects");
        }

        return [.. alternatives.EnumerateArray().SelectMany(a => CompileObject(a, path))];
    }

    private static Condition CompileLeaf(JsonElement values, string[] path)
    {
        var matchers = new List<ValueMatcher>();
        bool absentMatches = false;
        foreach (var value in values.EnumerateArray())
        {
            if (value.ValueKind == JsonValueKind.Object)
            {
                if (Operator(value, path) is { } matcher)
                {
                    matchers.Add(matcher);
                }
                else
                {
                    absentMatches = true; // {"exists": false}
                }
            }
            else
            {
                matchers.Add(Exact(value, path));
            }
        }

        return new Condition(path, [.. matchers], absentMatches);
    }

    private static ValueMatcher Exact(JsonElement value, string[] path) => value.ValueKind switch
    {
        JsonValueKind.String => new ExactString(value.GetString()!),
        JsonValueKind.Number => new ExactNumber(value.GetDouble()),
        JsonValueKind.True => new ExactLiteral(JsonTokenType.True),
        JsonValueKind.False => new ExactLiteral(JsonTokenType.False),
        JsonValueKind.Null => new ExactLiteral(JsonTokenType.Null),
        _ => throw new FormatException($"'{Name(path)}' lists {Describe(value)}; a value list holds strings, numbers, true, false, null or operator objects"),
    };

    /// <returns>The matcher, or null for <c>{"exists": false}</c>.</returns>
    private static ValueMatcher? Operator(JsonElement spec, string[] path)
    {
        var fields = spec.EnumerateObject().ToList();
        if (fields.Count != 1)
        {
            throw new FormatException($"'{Name(path)}': an operator object has exactly one key ({Operators}), not {fields.Count}");
        }

        var (op, arg) = (fields[0].Name, fields[0].Value);
        string where = $"'{Name(path)}': {op}";
        return op switch
        {
            "prefix" or "suffix" => new Affix(Text(arg, where, out bool ignoreCase), ignoreCase, atEnd: op == "suffix"),
            "equals-ignore-case" => new EqualsIgnoreCase(String(arg, where)),
            "anything-but" => AnythingBut(arg, where, path),
            "numeric" => Numeric(arg, where, numericStrings: path[^1] == "N"),
            "exists" => arg.ValueKind switch
            {
                JsonValueKind.True => AnyLeaf.Instance,
                JsonValueKind.False => null,
                _ => throw new FormatException($"{where} takes true or false, not {Describe(arg)}"),
            },
            _ => throw new FormatException($"'{Name(path)}' uses the unknown operator '{op}'; supported: {Operators}"),
        };
    }

    /// <summary>The argument of prefix/suffix: a string, or <c>{"equals-ignore-case": string}</c>.</summary>
    private static string Text(JsonElement arg, string where, out bool ignoreCase)
    {
        ignoreCase = arg.ValueKind == JsonValueKind.Object;
        if (!ignoreCase)
        {
            return String(arg, where);
        }

        var fields = arg.EnumerateObject().ToList();
        return fields is [{ Name: "equals-ignore-case" } only]
            ? String(only.Value, where + " equals-ignore-case")
            : throw new FormatException($"{where} takes a string or {{\"equals-ignore-case\": string}}");
    }

    private static string String(JsonElement arg, string where) =>
        arg.ValueKind == JsonValueKind.String ? arg.GetString()! : throw new FormatException($"{where} takes a string, not {Describe(arg)}");

    private static AnythingBut AnythingBut(JsonElement arg, string where, string[] path)
    {
        switch (arg.ValueKind)
        {
            case JsonValueKind.String or JsonValueKind.Number:
                return new AnythingBut([Exact(arg, path)], stringsOnly: false);

            case JsonValueKind.Array when arg.GetArrayLength() > 0 && arg.EnumerateArray().All(v => v.ValueKind is JsonValueKind.String or JsonValueKind.Number):
                return new AnythingBut([.. arg.EnumerateArray().Select(v => Exact(v, path))], stringsOnly: false);

            case JsonValueKind.Object when arg.EnumerateObject().ToList() is [var only]:
                ValueMatcher[] inner = only.Name switch
                {
                    "prefix" or "suffix" when only.Value.ValueKind == JsonValueKind.Array && only.Value.GetArrayLength() > 0 =>
                        [.. only.Value.EnumerateArray().Select(v => new Affix(String(v, $"{where} {only.Name}"), false, atEnd: only.Name == "suffix"))],
                    "prefix" or "suffix" => [new Affix(Text(only.Value, $"{where} {only.Name}", out bool ignoreCase), ignoreCase, atEnd: only.Name == "suffix")],
                    "equals-ignore-case" when only.Value.ValueKind == JsonValueKind.Array && only.Value.GetArrayLength() > 0 =>
                        [.. only.Value.EnumerateArray().Select(v => new EqualsIgnoreCase(String(v, where + " equals-ignore-case")))],
                    "equals-ignore-case" => [new EqualsIgnoreCase(String(only.Value, where + " equals-ignore-case"))],
                    _ => throw new FormatException($"{where} takes a string, a number, a non-empty array of them, or one of prefix, suffix, equals-ignore-case; not '{only.Name}'"),
                };
                return new AnythingBut(inner, stringsOnly: true);

            default:
                throw new FormatException($"{where} takes a string, a number, a non-empty array of them, or an object with prefix, suffix or equals-ignore-case; not {Describe(arg)}");
        }
    }

    /// <summary><c>["=", n]</c>, <c>[op, n]</c> or <c>[lower-op, n, upper-op, m]</c> with lower ops <c>&gt; &gt;=</c> and upper ops <c>&lt; &lt;=</c>.</summary>
    private static NumericRange Numeric(JsonElement arg, string where, bool numericStrings)
    {
        string usage = $"{where} takes [\"=\", n], [op, n] or [\">\" or \">=\", n, \"<\" or \"<=\", m] with ops =, <, <=, >, >=";
        if (arg.ValueKind != JsonValueKind.Array || arg.GetArrayLength() is not (2 or 4))
        {
            throw new FormatException(usage);
        }

        var items = arg.EnumerateArray().ToArray();
        double lower = double.NegativeInfinity, upper = double.PositiveInfinity;
        bool lowerInclusive = false, upperInclusive = false;
        bool sawLower = false, sawUpper = false;
        for (int i = 0; i < items.Length; i += 2)
        {
            if (items[i].ValueKind != JsonValueKind.String || items[i + 1].ValueKind != JsonValueKind.Number)
            {
                throw new FormatException(usage);
            }

            double n = items[i + 1].GetDouble();
            switch (items[i].GetString())
            {
                case "=" when items.Length == 2:
                    return new NumericRange(n, true, n, true, numericStrings);
                case ">" or ">=" when !sawLower:
                    (lower, lowerInclusive, sawLower) = (n, items[i].GetString() == ">=", true);
                    break;
                case "<" or "<=" when !sawUpper && (i == 2 || items.Length == 2):
                    (upper, upperInclusive, sawUpper) = (n, items[i].GetString() == "<=", true);
                    break;
                default:
                    throw new FormatException(usage);
            }
        }

        return lower <= upper
            ? new NumericRange(lower, lowerInclusive, upper, upperInclusive, numericStrings)
            : throw new FormatException($"{where}: the range is empty ({lower.ToString(CultureInfo.InvariantCulture)} is above {upper.ToString(CultureInfo.InvariantCulture)})");
    }

    private static string Name(string[] path) => string.Join('.', path);

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => $"the string \"{value.GetString()}\"",
        _ => value.GetRawText(),
    };
}
