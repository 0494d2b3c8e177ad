using System.Buffers;
using System.Text;
using System.Text.Json;
using Bridge.Aws.DynamoDbStreams;

namespace Bridge.Filtering;

/// <summary>
/// A compiled filter (<see cref="EventPatternCompiler"/>): does a stream record match any of its patterns?
/// </summary>
/// <remarks>
/// <para>The record is read once, forward, with <see cref="Utf8JsonReader"/>; only the fields some pattern names are
/// descended into, everything else is skipped unparsed, reading stops once the last named field has been read (a
/// pattern on <c>eventName</c> or <c>dynamodb.Keys</c> reads a fraction of the record), and nothing is allocated for records up to
/// <see cref="StackConditions"/> conditions and 256-character strings compared ignoring case.</para>
/// <para>Semantics (EventBridge's): a pattern matches a record when every one of its conditions holds; a condition holds
/// when some leaf at its path matches one of its values, or, for <c>{"exists": false}</c>, when there is no leaf there.
/// Arrays in the record are looked into: a leaf anywhere in an array at the path counts, and paths continue through arrays
/// of objects. An object at a condition's path is not a leaf: <c>"NewImage": {"a": [{"exists": true}]}</c> needs
/// <c>a</c> to be a leaf, so it holds for no DynamoDB attribute (write <c>"a": {"S": [{"exists": true}]}</c>).</para>
/// <para>The record is seen as Lambda sees it: a GetRecords record, plus <c>eventSourceARN</c>, which the record does not
/// carry and is supplied from the source stream.</para>
/// <para>Immutable and thread-safe: one instance serves every shard of a source.</para>
/// </remarks>
internal sealed class RecordFilter
{
    /// <summary>Conditions whose state fits on the stack.</summary>
    private const int StackConditions = 128;

    private static readonly byte[] EventSourceArnName = "eventSourceARN"u8.ToArray();

    private readonly Node _root = new();

    /// <summary>The root's <c>eventSourceARN</c> field, which patterns may name though records never hold it; null when none does.</summary>
    private readonly Node? _eventSourceArn;
    private readonly Condition[] _conditions;

    /// <summary>The patterns' alternatives: each an AND of indexes into <see cref="_conditions"/>.</summary>
    private readonly int[][] _alternatives;

    public RecordFilter(IReadOnlyList<IReadOnlyList<Condition>> alternatives)
    {
        _root.IsRoot = true;
        var conditions = new List<Condition>();
        _alternatives = [.. alternatives.Select(conjunction => conjunction.Select(condition =>
        {
            conditions.Add(condition);
            _root.Add(condition.Path, 0, conditions.Count - 1);
            return conditions.Count - 1;
        }).ToArray())];
        _conditions = [.. conditions];
        _root.Seal();
        _eventSourceArn = _root.Find(EventSourceArnName);
    }

    /// <summary>True when the record matches one of the patterns.</summary>
    /// <param name="eventSourceArn">The stream's ARN as UTF-8: what <c>eventSourceARN</c> holds for Lambda.</param>
    /// <exception cref="JsonException">The record is not valid JSON.</exception>
    public bool Matches(ReadOnlySpan<byte> recordJson, ReadOnlySpan<byte> eventSourceArn)
    {
        byte[]? rented = null;
        Span<byte> state = _conditions.Length <= StackConditions
            ? stackalloc byte[StackConditions]
            : (rented = ArrayPool<byte>.Shared.Rent(_conditions.Length));
        state = state[.._conditions.Length];
        state.Clear();
        try
        {
            var reader = new Utf8JsonReader(recordJson, StreamRecordShape.ReaderOptions);
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw new JsonException("the record is not a JSON object");
            }

            Walk(ref reader, _root, state, mayStop: true);
            if (_eventSourceArn is { } arn)
            {
                Evaluate(arn, new LeafValue(JsonTokenType.String, eventSourceArn), state);
            }

            return Decide(state);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>With the reader on a StartObject: reads through its EndObject, descending into the fields the node names;
    /// or, when <paramref name="mayStop"/>, only until the last of them has been read.</summary>
    /// <returns>True when it stopped early: the reader is inside the object, and the caller must stop reading too.</returns>
    private bool WalkObject(ref Utf8JsonReader reader, Node node, scoped Span<byte> state, bool mayStop)
    {
        int seen = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var child = node.Find(ref reader);
            reader.Read();
            if (child is null)
            {
                reader.Skip();
                continue;
            }

            // A name appears once in an object, so once every named field has been read nothing else here can matter.
            bool last = ++seen == node.FieldsInRecord;
            if (Walk(ref reader, child, state, mayStop && last) || (mayStop && last))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>With the reader on the first token of a value: reads all of it, evaluating the node's conditions on its leaves.</summary>
    /// <returns>True when it stopped early (see <see cref="WalkObject"/>).</returns>
    private bool Walk(ref Utf8JsonReader reader, Node node, scoped Span<byte> state, bool mayStop)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject when node.HasChildren:
                return WalkObject(ref reader, node, state, mayStop);
            case JsonTokenType.StartObject:
                reader.Skip();
                break;
            case JsonTokenType.StartArray:
                // Every element may hold a leaf of the path: read them all.
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    Walk(ref reader, node, state, mayStop: false);
                }

                break;
            default:
                if (node.Conditions.Count > 0)
                {
                    EvaluateScalar(ref reader, node, state);
                }

                break;
        }

        return false;
    }

    private void EvaluateScalar(ref Utf8JsonReader reader, Node node, scoped Span<byte> state)
    {
        if (reader.TokenType != JsonTokenType.String || !reader.ValueIsEscaped)
        {
            Evaluate(node, new LeafValue(reader.TokenType, reader.ValueSpan), state);
            return;
        }

        byte[] unescaped = ArrayPool<byte>.Shared.Rent(reader.ValueSpan.Length);
        try
        {
            int length = reader.CopyString(unescaped);
            Evaluate(node, new LeafValue(reader.TokenType, unescaped.AsSpan(0, length)), state);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(unescaped);
        }
    }

    private void Evaluate(Node node, in LeafValue value, Span<byte> state)
    {
        foreach (int index in node.Conditions)
        {
            state[index] |= Seen;
            if ((state[index] & Matched) == 0 && AnyMatch(_conditions[index].Matchers, value))
            {
                state[index] |= Matched;
            }
        }
    }

    private static bool AnyMatch(ValueMatcher[] matchers, in LeafValue value)
    {
        foreach (var matcher in matchers)
        {
            if (matcher.Matches(value))
            {
                return true;
            }
        }

        return false;
    }

    private bool Decide(ReadOnlySpan<byte> state)
    {
        foreach (int[] conjunction in _alternatives)
        {
            bool all = true;
            foreach (int index in conjunction)
            {
                byte s = state[index];
                if ((s & Matched) == 0 && !(_conditions[index].AbsentMatches && (s & Seen) == 0))
                {
                    all = false;
                    break;
                }
            }

            if (all)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Condition state bits: a leaf was at the path; one matched.</summary>
    private const byte Seen = 1, Matched = 2;

    /// <summary>One field path of the patterns, shared by every condition on it; children are the fields below it.</summary>
    private sealed class Node
    {
        private readonly List<(byte[] Name, Node Node)> _children = [];

        public List<int> Conditions { get; } = [];

        public bool HasChildren => _children.Count > 0;

        /// <summary>Set on the root, whose <c>eventSourceARN</c> child is never in the record.</summary>
        public bool IsRoot { get; set; }

        /// <summary>How many of the children the record can hold: when all have been read, reading may stop.</summary>
        public int FieldsInRecord { get; private set; }

        /// <summary>Called once the tree is built.</summary>
        public void Seal()
        {
            FieldsInRecord = _children.Count - (IsRoot && Find(EventSourceArnName) is not null ? 1 : 0);
            foreach (var (_, child) in _children)
            {
                child.Seal();
            }
        }

        public void Add(string[] path, int depth, int condition)
        {
            if (depth == path.Length)
            {
                Conditions.Add(condition);
                return;
            }

            byte[] name = Encoding.UTF8.GetBytes(path[depth]);
            var child = Find(name);
            if (child is null)
            {
                child = new Node();
                _children.Add((name, child));
            }

            child.Add(path, depth + 1, condition);
        }

        public Node? Find(ReadOnlySpan<byte> name)
        {
            foreach (var (childName, node) in _children)
            {
                if (name.SequenceEqual(childName))
                {
                    return node;
                }
            }

            return null;
        }

        /// <summary>The child the reader's property name names (escapes in the record's name are decoded).</summary>
        public Node? Find(ref Utf8JsonReader reader)
        {
            foreach (var (childName, node) in _children)
            {
                if (reader.ValueTextEquals(childName))
                {
                    return node;
                }
            }

            return null;
        }
    }
}
