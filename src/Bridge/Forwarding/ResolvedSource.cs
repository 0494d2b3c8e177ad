using Bridge.Filtering;
using Bridge.Ordering;
using Bridge.Output;
using Bridge.Routing;

namespace Bridge.Forwarding;

/// <summary>A configured source after start-up checks: its table, its enabled stream, how to key its records, in Merge
/// mode how to order them, which to leave out (null: none) and how to shape them.</summary>
internal sealed record ResolvedSource(string TableName, string StreamArn, PartitionKeySelector KeySelector, OrderValueSelector? OrderBy = null, SourceFilter? Filter = null, OutputShape? Shape = null)
{
    public OrderValueSelector OrderValue => OrderBy ?? OrderValueSelector.ApproximateCreationDateTime;
}
