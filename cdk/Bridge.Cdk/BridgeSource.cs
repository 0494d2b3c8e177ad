using Amazon.CDK;
using Amazon.CDK.AWS.DynamoDB;

namespace Bridge.Cdk;

/// <summary>One DynamoDB table whose stream the bridge forwards, and the attribute that keys its records.</summary>
/// <remarks>
/// The IAM policy needs the stream's ARN. A table object or an explicit stream ARN gives the exact
/// one; a bare table name does not (the ARN ends in a creation timestamp), so the policy then names
/// <c>table/NAME/stream/*</c>: still this table's streams only, and it survives the stream being re-enabled.
/// </remarks>
public sealed class BridgeSource
{
    private BridgeSource(string tableName, string partitionKey, string? streamArn, ITable? table, SourceShaping? shaping)
    {
        if (string.IsNullOrWhiteSpace(tableName))
        {
            throw new ArgumentException("A source needs a table name.", nameof(tableName));
        }

        if (string.IsNullOrWhiteSpace(partitionKey))
        {
            throw new ArgumentException($"Source table '{tableName}' needs a partition key attribute.", nameof(partitionKey));
        }

        TableName = tableName;
        PartitionKey = partitionKey;
        ExplicitStreamArn = streamArn;
        Table = table;
        Shaping = shaping ?? new SourceShaping();
        var problems = Shaping.Problems(tableName, partitionKey).ToList();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", problems), nameof(shaping));
        }
    }

    public string TableName { get; }

    /// <summary>Attribute name, or dotted path into the item, whose value becomes the Kinesis partition key; or a template
    /// of <c>{path}</c> parts (<c>{tenant}#{roomId}</c>).</summary>
    public string PartitionKey { get; }

    /// <summary>Key pattern, filters and projection; the defaults forward every change whole.</summary>
    public SourceShaping Shaping { get; }

    /// <summary>The stream ARN given by the caller, or null when the worker looks it up from the table.</summary>
    public string? ExplicitStreamArn { get; }

    private ITable? Table { get; }

    public static BridgeSource FromTableName(string tableName, string partitionKey, SourceShaping? shaping = null) =>
        new(tableName, partitionKey, streamArn: null, table: null, shaping);

    public static BridgeSource FromStreamArn(string streamArn, string partitionKey, SourceShaping? shaping = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(streamArn);
        return new(TableNameOf(streamArn), partitionKey, streamArn, table: null, shaping);
    }

    /// <summary>A table defined in (or imported into) the same app; it must have a stream enabled.</summary>
    public static BridgeSource FromTable(ITable table, string partitionKey, SourceShaping? shaping = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        var streamArn = table.TableStreamArn
            ?? throw new ArgumentException(
                $"Table '{table.Node.Path}' has no stream: enable one (StreamViewType.NEW_IMAGE or NEW_AND_OLD_IMAGES) or pass its stream ARN.",
                nameof(table));
        return new(table.TableName, partitionKey, streamArn, table, shaping);
    }

    internal string TableArn(Stack stack) =>
        Table?.TableArn ?? stack.FormatArn(new ArnComponents
        {
            Service = "dynamodb",
            Resource = "table",
            ResourceName = TableName,
        });

    internal string StreamArnPattern(Stack stack) =>
        ExplicitStreamArn ?? stack.FormatArn(new ArnComponents
        {
            Service = "dynamodb",
            Resource = "table",
            ResourceName = $"{TableName}/stream/*",
        });

    // arn:aws:dynamodb:REGION:ACCOUNT:table/NAME/stream/LABEL
    private static string TableNameOf(string streamArn)
    {
        var resource = streamArn.Split(':', 6) is { Length: 6 } parts ? parts[5] : string.Empty;
        var segments = resource.Split('/');
        return segments is ["table", var name, "stream", _, ..] && name.Length > 0
            ? name
            : throw new ArgumentException($"'{streamArn}' is not a DynamoDB stream ARN (arn:aws:dynamodb:REGION:ACCOUNT:table/NAME/stream/LABEL).", nameof(streamArn));
    }
}
