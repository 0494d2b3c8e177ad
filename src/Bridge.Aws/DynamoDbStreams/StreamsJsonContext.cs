using System.Text.Json.Serialization;

namespace Bridge.Aws.DynamoDbStreams;

/// <summary>Source-generated (de)serializers for the DynamoDB Streams DTOs: no reflection at run time.</summary>
/// <remarks>Nulls are left out because the services read an explicit <c>null</c> as a value and reject it.</remarks>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ListStreamsRequestDto))]
[JsonSerializable(typeof(ListStreamsResponseDto))]
[JsonSerializable(typeof(DescribeStreamRequestDto))]
[JsonSerializable(typeof(DescribeStreamResponseDto))]
[JsonSerializable(typeof(GetShardIteratorRequestDto))]
[JsonSerializable(typeof(GetShardIteratorResponseDto))]
[JsonSerializable(typeof(GetRecordsRequestDto))]
internal sealed partial class StreamsJsonContext : JsonSerializerContext;
