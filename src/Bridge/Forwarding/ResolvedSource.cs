using Bridge.Routing;

namespace Bridge.Forwarding;

/// <summary>A configured source after start-up checks: its table, its enabled stream, and how to key its records.</summary>
internal sealed record ResolvedSource(string TableName, string StreamArn, PartitionKeySelector KeySelector);
