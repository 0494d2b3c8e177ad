using System.Runtime.InteropServices;
using System.Text.Json;
using Bridge.Aws.DynamoDbStreams;

namespace Bridge.Filtering;

/// <summary><c>IgnoreModifiesOf</c>: recognises a MODIFY whose only changed attributes are the given ones (a heartbeat,
/// a last-seen time), which downstream does not want.</summary>
/// <remarks>
/// An attribute changed when it is in one image and not the other, or its values differ. Values are compared as DynamoDB
/// sent them, byte for byte: both images of a record come from one serialiser, so an equal value has equal bytes; a set
/// whose elements came in another order would count as changed, which errs towards forwarding. A record without both
/// images cannot be judged and is never taken for noise (start-up refuses streams without both images).
/// </remarks>
internal sealed class ModifyOnlyOf
{
    private readonly HashSet<string> _ignored;

    public ModifyOnlyOf(IEnumerable<string> attributes) => _ignored = new HashSet<string>(attributes, StringComparer.Ordinal);

    public IReadOnlyCollection<string> Attributes => _ignored;

    /// <summary>True when the record is a MODIFY and every attribute that differs between its images is ignored.</summary>
    /// <exception cref="JsonException">The record is not valid JSON.</exception>
    public bool IsNoise(in StreamRecord record)
    {
        if (record.EventName != "MODIFY")
        {
            return false;
        }

        using var document = JsonDocument.Parse(record.Json, new JsonDocumentOptions { MaxDepth = StreamRecordShape.ReaderOptions.MaxDepth });
        if (!document.RootElement.TryGetProperty("dynamodb"u8, out var dynamodb) || dynamodb.ValueKind != JsonValueKind.Object
            || !dynamodb.TryGetProperty("NewImage"u8, out var newImage) || newImage.ValueKind != JsonValueKind.Object
            || !dynamodb.TryGetProperty("OldImage"u8, out var oldImage) || oldImage.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        return OnlyIgnoredDiffer(newImage, oldImage) && OnlyIgnoredDiffer(oldImage, newImage);
    }

    /// <summary>Every attribute of <paramref name="image"/> that is not ignored has the same value in <paramref name="other"/>.</summary>
    private bool OnlyIgnoredDiffer(JsonElement image, JsonElement other)
    {
        foreach (var attribute in image.EnumerateObject())
        {
            if (_ignored.Contains(attribute.Name))
            {
                continue;
            }

            if (!other.TryGetProperty(attribute.Name, out var counterpart)
                || !JsonMarshal.GetRawUtf8Value(attribute.Value).SequenceEqual(JsonMarshal.GetRawUtf8Value(counterpart)))
            {
                return false;
            }
        }

        return true;
    }
}
