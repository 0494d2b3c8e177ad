using System.ComponentModel.DataAnnotations;

namespace Bridge.Coordination;

/// <summary>Where checkpoints live and how often they are written.</summary>
public sealed class CheckpointOptions
{
    /// <summary>DynamoDB table of checkpoints (created on first start if absent, on-demand billing).</summary>
    [Required]
    public string TableName { get; set; } = "";

    /// <summary>A checkpoint is written once this many records were acknowledged since the last one…</summary>
    [Range(1, 1_000_000)]
    public int EveryRecords { get; set; } = 5_000;

    /// <summary>…or once this much time passed with anything new acknowledged. Bounds what a crash re-sends.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(5);
}
