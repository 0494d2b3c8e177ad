using Bridge.Aws.DynamoDbStreams;
using Bridge.Aws.Kinesis;

namespace Bridge.Routing;

/// <summary>Turns a stream record into the data of its Kinesis record (<see cref="Output.OutputShape"/> picks which one).</summary>
internal interface IRecordEncoder
{
    /// <returns>False when the record is not a JSON object (it is then undeliverable, as malformed).</returns>
    bool TryEncode(in StreamRecord record, out RecordData encoded);
}
