namespace Bridge.Source;

/// <summary>The parts of a DynamoDB stream ARN: <c>arn:aws:dynamodb:REGION:ACCOUNT:table/NAME/stream/LABEL</c>.</summary>
public static class DynamoDbStreamArn
{
    public static bool TryGetTableName(string streamArn, out string tableName)
    {
        var parts = streamArn.Split('/');
        var valid = parts.Length >= 4 && parts[0].EndsWith(":table", StringComparison.Ordinal);
        tableName = valid ? parts[1] : "";
        return valid;
    }

    /// <summary>The region part; false when the ARN has none.</summary>
    public static bool TryGetRegion(string streamArn, out string region)
    {
        var parts = streamArn.Split(':');
        region = parts.Length >= 6 && parts[0] == "arn" ? parts[3] : "";
        return region.Length > 0;
    }
}
