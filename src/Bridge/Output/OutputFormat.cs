namespace Bridge.Output;

/// <summary>The shape of the Kinesis records the bridge writes (<c>Bridge:Target:Format</c>).</summary>
public enum OutputFormat
{
    /// <summary>The GetRecords stream record as DynamoDB sent it, plus <c>tableName</c>, <c>eventSourceARN</c> and
    /// <c>sourceShardId</c> (the default).</summary>
    StreamRecord,

    /// <summary>The record the native "Kinesis Data Streams for DynamoDB" integration writes: <c>awsRegion, eventID,
    /// eventName, userIdentity, recordFormat, tableName, dynamodb { ApproximateCreationDateTime (ms), Keys, NewImage,
    /// OldImage, SizeBytes }, eventSource</c>, plus the bridge's <c>eventSourceARN</c>, <c>sourceShardId</c> and
    /// <c>sequenceNumber</c>.</summary>
    KinesisDataStreamsForDynamoDB,

    /// <summary>One record of Lambda's DynamoDB event: the stream record plus <c>eventSourceARN</c> (and the bridge's <c>sourceShardId</c>).</summary>
    Lambda,
}
