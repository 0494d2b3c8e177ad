using Bridge.Ordering;
using Bridge.Routing;

namespace Bridge.Forwarding;

/// <summary>A configured source after start-up checks: its table, its enabled stream, how to key its records and,
/// in Merge mode, how to order them.</summary>
internal sealed record ResolvedSource(string TableName, string StreamArn, PartitionKeySelector KeySelector, OrderValueSelector? OrderBy = null)
{
    public OrderValueSelector OrderValue => OrderBy ?? OrderValueSelector.ApproximateCreationDateTime;
}
