using System.Text;
using System.Text.Json;

namespace Bridge.Aws.DynamoDbStreams;

/// <summary>
/// An attribute of the item a stream record is about, named by a dotted path into map (M) attributes:
/// <c>roomId</c>, <c>meta.tenant</c>. An attribute whose name contains '.' cannot be addressed.
/// </summary>
/// <remarks>
/// Given to the GetRecords decoder, it is located in each record during the one pass that decodes the answer
/// (<see cref="StreamRecord.Located"/>), so finding it costs no second pass over the record.
/// </remarks>
public sealed class AttributePath
{
    /// <param name="path">An attribute name or a dotted path into maps; every segment non-empty.</param>
    /// <exception cref="ArgumentException">The path is empty, has an empty segment, or is deeper than DynamoDB nests.</exception>
    public AttributePath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string[] segments = path.Split('.');
        int empty = Array.IndexOf(segments, string.Empty);
        if (empty >= 0)
        {
            throw new ArgumentException(
                $"Partition key path '{path}' has an empty segment (segment {empty + 1} of {segments.Length}). " +
                "Give an attribute name, or a dotted path into map attributes such as 'meta.tenant'.",
                nameof(path));
        }

        if (segments.Length > MaxSegments)
        {
            throw new ArgumentException($"Partition key path '{path}' has {segments.Length} segments; DynamoDB nests at most {MaxSegments} levels.", nameof(path));
        }

        Text = path;
        Segments = Array.ConvertAll(segments, Encoding.UTF8.GetBytes);
    }

    /// <summary>DynamoDB's limit on nested attributes.</summary>
    public const int MaxSegments = 32;

    public string Text { get; }

    /// <summary>The segments as UTF-8, for comparing with property names without decoding them.</summary>
    internal byte[][] Segments { get; }

    public override string ToString() => Text;

    /// <summary>The first <paramref name="segments"/> segments as text: <c>meta</c> of <c>meta.tenant</c>.</summary>
    public string Prefix(int segments)
    {
        var end = -1;
        for (var i = 0; i < segments; i++)
        {
            end = Text.IndexOf('.', end + 1);
            if (end < 0)
            {
                return Text;
            }
        }

        return Text[..end];
    }

    /// <summary>Locates the path in one record on its own, reading all of it (so the record is known to be valid JSON).</summary>
    /// <exception cref="JsonException">The record is not valid JSON or not a stream record; the message says why.</exception>
    public AttributeLocation LocateIn(ReadOnlySpan<byte> recordJson)
    {
        var reader = new Utf8JsonReader(recordJson, StreamRecordShape.ReaderOptions);
        if (!StreamRecordShape.TryEnterDynamoDb(ref reader))
        {
            throw new JsonException("the record has no dynamodb object");
        }

        var located = new Locating(this, origin: 0);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (!located.TryImage(ref reader))
            {
                reader.Skip();
            }
        }

        StreamRecordShape.ReadToEnd(ref reader);
        return located.Result is { Outcome: AttributeOutcome.Malformed }
            ? throw new JsonException("dynamodb has none of Keys, NewImage and OldImage")
            : located.Result;
    }

    /// <summary>
    /// The location being built for one record while its <c>dynamodb</c> object is read: each image the reader meets
    /// goes through <see cref="TryImage"/>, and <see cref="Result"/> is what the freshest image holds.
    /// </summary>
    /// <param name="origin">Offset of the record in the reader's input, so locations are relative to the record.</param>
    internal struct Locating(AttributePath path, int origin)
    {
        private AttributeLocation _newImage = AttributeLocation.Missing;
        private AttributeLocation _oldImage = AttributeLocation.Missing;
        private AttributeLocation _keys = AttributeLocation.Missing;
        private bool _sawImage;
        private bool _malformed;

        /// <summary>
        /// The first of NewImage, OldImage, Keys that holds anything at the path: a source where the path is absent
        /// passes to the next, one where the value is unusable decides, because falling through would route one item's
        /// changes by two different values. Malformed when an image broke the shape, or when no image was seen at all.
        /// </summary>
        public readonly AttributeLocation Result =>
            _malformed || !_sawImage ? AttributeLocation.Malformed
            : _newImage.Outcome != AttributeOutcome.Missing ? _newImage
            : _oldImage.Outcome != AttributeOutcome.Missing ? _oldImage
            : _keys.Outcome != AttributeOutcome.Missing ? _keys
            : AttributeLocation.Missing;

        /// <summary>With the reader on a property name of <c>dynamodb</c>: if it names an image, reads all of the image,
        /// locating the path in it, and returns true; otherwise leaves the reader where it is.</summary>
        /// <exception cref="JsonException">The image breaks the stream record shape.</exception>
        public bool TryImage(ref Utf8JsonReader reader)
        {
            ImageKind image =
                reader.ValueTextEquals("NewImage"u8) ? ImageKind.NewImage :
                reader.ValueTextEquals("OldImage"u8) ? ImageKind.OldImage :
                reader.ValueTextEquals("Keys"u8) ? ImageKind.Keys :
                ImageKind.None;
            if (image == ImageKind.None)
            {
                return false;
            }

            // Named by constants: Enum.ToString would box the image on every record.
            StreamRecordShape.ExpectObject(ref reader, image switch
            {
                ImageKind.NewImage => nameof(ImageKind.NewImage),
                ImageKind.OldImage => nameof(ImageKind.OldImage),
                _ => nameof(ImageKind.Keys),
            });
            var found = FindIn(ref reader, 0) with { Image = image };
            _sawImage = true;
            switch (image)
            {
                case ImageKind.NewImage: _newImage = found; break;
                case ImageKind.OldImage: _oldImage = found; break;
                default: _keys = found; break;
            }

            return true;
        }

        /// <summary>Marks the whole record malformed: an image broke the shape (the reader has skipped it).</summary>
        public void SetMalformed() => _malformed = true;

        /// <summary>Looks for segment <paramref name="segment"/> among the attributes of the map the reader has just
        /// entered, and reads through to the map's end.</summary>
        private readonly AttributeLocation FindIn(ref Utf8JsonReader reader, int segment)
        {
            AttributeLocation found = AttributeLocation.Missing;
            byte[] name = path.Segments[segment];
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                // DynamoDB never repeats a name; if a record did, the first one wins.
                if (found.Outcome == AttributeOutcome.Missing && reader.ValueTextEquals(name))
                {
                    found = ReadAttribute(ref reader, segment);
                }
                else
                {
                    reader.Skip();
                }
            }

            return found;
        }

        private readonly AttributeLocation ReadAttribute(ref Utf8JsonReader reader, int segment)
        {
            AttributeType type = StreamRecordShape.EnterAttributeValue(ref reader);
            AttributeLocation found;
            if (segment < path.Segments.Length - 1)
            {
                if (type == AttributeType.M)
                {
                    StreamRecordShape.ExpectObject(ref reader, "an M value");
                    found = FindIn(ref reader, segment + 1);
                }
                else
                {
                    reader.Skip();
                    found = new AttributeLocation(ImageKind.None, AttributeOutcome.NotAMap, type, (byte)segment, false, 0, 0);
                }
            }
            else
            {
                found = ReadValue(ref reader, type, segment);
            }

            StreamRecordShape.ExitAttributeValue(ref reader);
            return found;
        }

        private readonly AttributeLocation ReadValue(ref Utf8JsonReader reader, AttributeType type, int segment)
        {
            reader.Read();
            switch (type)
            {
                case AttributeType.S or AttributeType.N or AttributeType.B:
                    if (reader.TokenType != JsonTokenType.String)
                    {
                        throw new JsonException($"an {AttributeTypeCodes.Code(type)} value is not a string");
                    }

                    return At(ref reader, type, segment, reader.ValueIsEscaped);

                case AttributeType.Bool:
                    if (reader.TokenType is not (JsonTokenType.True or JsonTokenType.False))
                    {
                        throw new JsonException("a BOOL value is not true or false");
                    }

                    return At(ref reader, type, segment, false);

                default:
                    reader.Skip();
                    return new AttributeLocation(ImageKind.None, AttributeOutcome.NotAKey, type, (byte)segment, false, 0, 0);
            }
        }

        private readonly AttributeLocation At(ref Utf8JsonReader reader, AttributeType type, int segment, bool escaped)
        {
            int start = (int)reader.TokenStartIndex;
            return new AttributeLocation(ImageKind.None, AttributeOutcome.Value, type, (byte)segment, escaped, start - origin, (int)reader.BytesConsumed - start);
        }
    }
}

/// <summary>The parts of a stream record that can hold the item's attributes, freshest first.</summary>
public enum ImageKind : byte
{
    /// <summary>No image decided (the path is missing, or the record is malformed).</summary>
    None,
    NewImage,
    OldImage,
    Keys,
}

/// <summary>What a record holds at an <see cref="AttributePath"/>.</summary>
public enum AttributeOutcome : byte
{
    /// <summary>Not looked for: the record was decoded without a path.</summary>
    NotLocated,

    /// <summary>The path is in no image.</summary>
    Missing,

    /// <summary>An S, N, B or BOOL value, at <see cref="AttributeLocation.Start"/>.</summary>
    Value,

    /// <summary>A value of another type (M, L, a set, NULL).</summary>
    NotAKey,

    /// <summary>A non-map where the path needs to descend.</summary>
    NotAMap,

    /// <summary>The record breaks the stream record shape: locate the path in it alone (<see cref="AttributePath.LocateIn"/>) to learn why.</summary>
    Malformed,
}

/// <summary>Where a record holds an attribute path, by position in the record, so nothing is decoded yet.</summary>
/// <remarks>16 bytes, to keep a decoded record small (a page of them stays off the large object heap).</remarks>
/// <param name="Image">The image that decided.</param>
/// <param name="Type">Value: the value's type; NotAKey: the offending type; NotAMap: the type of the non-map.</param>
/// <param name="Segment">Index of the path segment that named the value (or the non-map).</param>
/// <param name="Escaped">Value: the string holds escapes and must be unescaped.</param>
/// <param name="Start">Value: offset in the record of the value token (a string's opening quote).</param>
/// <param name="Length">Value: length of the token, quotes included.</param>
public readonly record struct AttributeLocation(ImageKind Image, AttributeOutcome Outcome, AttributeType Type, byte Segment, bool Escaped, int Start, int Length)
{
    public static AttributeLocation Missing => new(ImageKind.None, AttributeOutcome.Missing, default, 0, false, 0, 0);

    public static AttributeLocation Malformed => new(ImageKind.None, AttributeOutcome.Malformed, default, 0, false, 0, 0);
}
