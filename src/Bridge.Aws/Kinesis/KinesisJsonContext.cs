using System.Text.Json.Serialization;

namespace Bridge.Aws.Kinesis;

/// <summary>Source-generated (de)serializers for the Kinesis DTOs: no reflection at run time.</summary>
/// <remarks>Nulls are left out because the services read an explicit <c>null</c> as a value and reject it.</remarks>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CreateStreamRequestDto))]
[JsonSerializable(typeof(DeleteStreamRequestDto))]
[JsonSerializable(typeof(StreamRefDto))]
[JsonSerializable(typeof(DescribeStreamSummaryResponseDto))]
[JsonSerializable(typeof(ListShardsRequestDto))]
[JsonSerializable(typeof(ListShardsResponseDto))]
[JsonSerializable(typeof(PutRecordsResponseDto))]
[JsonSerializable(typeof(PutRecordRequestDto))]
[JsonSerializable(typeof(PutRecordResponseDto))]
[JsonSerializable(typeof(GetShardIteratorRequestDto))]
[JsonSerializable(typeof(GetShardIteratorResponseDto))]
[JsonSerializable(typeof(GetRecordsRequestDto))]
[JsonSerializable(typeof(GetRecordsResponseDto))]
[JsonSerializable(typeof(UpdateShardCountRequestDto))]
internal sealed partial class KinesisJsonContext : JsonSerializerContext;
