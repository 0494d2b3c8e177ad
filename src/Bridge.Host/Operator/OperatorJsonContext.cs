using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Bridge.Host.Operator.Plan;
using Bridge.Host.Operator.Status;

namespace Bridge.Host.Operator;

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(PlanDocument))]
[JsonSerializable(typeof(StatusSnapshot))]
internal sealed partial class OperatorJsonContext : JsonSerializerContext
{
    /// <summary>The same, writing ×, § and + as they are: the formulas are read by people too.</summary>
    public static OperatorJsonContext Readable => ReadableContext.Instance;

    // In its own class so that it is built after Default, which it copies.
    private static class ReadableContext
    {
        public static readonly OperatorJsonContext Instance = new(new JsonSerializerOptions(Default.Options) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }
}
