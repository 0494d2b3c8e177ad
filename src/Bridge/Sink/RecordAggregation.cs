namespace Bridge.Sink;

/// <summary>How the target stream's Kinesis records carry the forwarded stream records.</summary>
public enum RecordAggregation
{
    /// <summary>One stream record per Kinesis record: every consumer reads it as it is.</summary>
    None,

    /// <summary>A key's consecutive records packed into KPL aggregates: consumers must de-aggregate (the KCL, Firehose
    /// and Flink do it themselves; a Lambda function uses the kinesis-aggregation library).</summary>
    Kpl,
}
