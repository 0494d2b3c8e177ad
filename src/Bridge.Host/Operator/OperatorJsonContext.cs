using System.Text.Json.Serialization;
using Bridge.Host.Operator.Plan;
using Bridge.Host.Operator.Status;

namespace Bridge.Host.Operator;

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(PlanDocument))]
[JsonSerializable(typeof(StatusSnapshot))]
internal sealed partial class OperatorJsonContext : JsonSerializerContext;
