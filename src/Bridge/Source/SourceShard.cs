namespace Bridge.Source;

/// <summary>One shard of one source stream: where a record came from.</summary>
public sealed record SourceShard(string TableName, string StreamArn, string ShardId)
{
    public override string ToString() => $"{TableName}/{ShardId}";
}
