using System.Text.Json.Serialization;

namespace Bridge.Aws.CloudWatch;

/// <summary>Source-generated serializer for PutMetricData: no reflection at run time.</summary>
/// <remarks>Nulls are left out because the service reads an explicit <c>null</c> as a value and rejects it.</remarks>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(PutMetricDataRequestDto))]
internal sealed partial class CloudWatchJsonContext : JsonSerializerContext;
