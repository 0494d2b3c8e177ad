using System.Diagnostics.CodeAnalysis;
using Bridge.Aws.DynamoDbStreams;

namespace Bridge.Routing;

/// <summary>What <see cref="PartitionKeySelector.Select"/> found.</summary>
internal enum KeySelectionStatus
{
    /// <summary>A key was found; <see cref="KeySelection.Key"/> holds it.</summary>
    Selected,

    /// <summary>The path is in none of NewImage, OldImage and Keys.</summary>
    MissingAttribute,

    /// <summary>The path leads to a value of a type that cannot be a key (M, L, SS, NS, BS, NULL), or
    /// passes through an attribute that is not a map.</summary>
    UnsupportedType,

    /// <summary>The value is an empty S or B; Kinesis rejects empty partition keys.</summary>
    Empty,

    /// <summary>The bytes are not valid JSON, not a stream record, or the N value is not a number.</summary>
    Malformed,

    /// <summary>The <c>PartitionKeyPattern</c> did not match (or timed out) on what <c>PartitionKey</c> produced.</summary>
    PatternMismatch,
}

/// <summary>The outcome of selecting a partition key from one record: a key, or why there is none.</summary>
/// <remarks>A value, not an exception: an unroutable record is an expected outcome that the caller logs
/// and counts, and selecting must cost no more than the key string.</remarks>
internal readonly struct KeySelection
{
    private KeySelection(KeySelectionStatus status, string? key, ImageKind source, AttributeType type, string? detail, string? part = null)
    {
        Status = status;
        Key = key;
        Source = source;
        Type = type;
        Detail = detail;
        Part = part;
    }

    public KeySelectionStatus Status { get; }

    /// <summary>The partition key (canonical, at most <see cref="PartitionKeyLimit.MaxLength"/> characters)
    /// when <see cref="Status"/> is Selected; null otherwise.</summary>
    public string? Key { get; }

    /// <summary>Where the deciding value was found (images are tried in this order: NewImage, OldImage, Keys): set for Selected, UnsupportedType and Empty.</summary>
    public ImageKind Source { get; }

    /// <summary>The type of the deciding value: the key's type when Selected; the offending type when
    /// UnsupportedType or Empty. Meaningless for MissingAttribute and Malformed.</summary>
    public AttributeType Type { get; }

    /// <summary>
    /// Malformed: why the record is not a stream record. UnsupportedType: the path prefix that holds
    /// a non-map (<c>meta</c> for path <c>meta.tenant</c> when <c>meta</c> is an S), or null when the
    /// value at the full path has the unsupported type. PatternMismatch: why the pattern did not give a key.
    /// Null for every other status.
    /// </summary>
    public string? Detail { get; }

    /// <summary>A template's failing part (its attribute path), for messages; null for a one-attribute key.</summary>
    public string? Part { get; }

    [MemberNotNullWhen(true, nameof(Key))]
    public bool IsSelected => Status == KeySelectionStatus.Selected;

    public static KeySelection Selected(string key, ImageKind source, AttributeType type) =>
        new(KeySelectionStatus.Selected, key, source, type, null);

    public static KeySelection Missing() =>
        new(KeySelectionStatus.MissingAttribute, null, ImageKind.None, default, null);

    public static KeySelection Unsupported(ImageKind source, AttributeType type, string? nonMapPrefix) =>
        new(KeySelectionStatus.UnsupportedType, null, source, type, nonMapPrefix);

    public static KeySelection Empty(ImageKind source, AttributeType type) =>
        new(KeySelectionStatus.Empty, null, source, type, null);

    public static KeySelection PatternMismatch(string reason) =>
        new(KeySelectionStatus.PatternMismatch, null, ImageKind.None, default, reason);

    /// <summary>This failed selection, of the template part at <paramref name="path"/>.</summary>
    public KeySelection OfPart(string path) => new(Status, Key, Source, Type, Detail, path);

    public static KeySelection Malformed(string reason) =>
        new(KeySelectionStatus.Malformed, null, ImageKind.None, default, reason);
}
