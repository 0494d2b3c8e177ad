using System.Globalization;
using Constructs;

namespace Bridge.Cdk.App;

/// <summary>Typed, validated access to the app's <c>-c key=value</c> context.</summary>
/// <remarks>Values arrive as strings from the command line but as JSON numbers or booleans from cdk.json; both are accepted.</remarks>
internal sealed class BridgeContext(Node node)
{
    public string? Text(string key) =>
        node.TryGetContext(key) switch
        {
            null => null,
            string text when string.IsNullOrWhiteSpace(text) => null,
            var value => Convert.ToString(value, CultureInfo.InvariantCulture)?.Trim(),
        };

    /// <summary>A JSON value: a string from the command line (<c>-c key='{...}'</c>), or an object or array from cdk.json, as JSON text.</summary>
    public string? Json(string key) =>
        node.TryGetContext(key) switch
        {
            null => null,
            string text => string.IsNullOrWhiteSpace(text) ? null : text,
            var value => System.Text.Json.JsonSerializer.Serialize(value),
        };

    public string RequiredText(string key, string example) =>
        Text(key) ?? throw new InvalidContextException($"Missing context '{key}': pass -c {key}={example}.");

    public int Int(string key, int defaultValue, int min, int max)
    {
        if (Text(key) is not { } text)
        {
            return defaultValue;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
            || number != Math.Floor(number)
            || number < min
            || number > max)
        {
            throw new InvalidContextException($"Context '{key}' must be a whole number from {min} to {max} (was '{text}').");
        }

        return (int)number;
    }

    public bool Bool(string key, bool defaultValue) =>
        Text(key) switch
        {
            null => defaultValue,
            var text when bool.TryParse(text, out var value) => value,
            var text => throw new InvalidContextException($"Context '{key}' must be true or false (was '{text}')."),
        };

    public string Choice(string key, string defaultValue, IReadOnlyCollection<string> choices)
    {
        var text = Text(key) ?? defaultValue;
        return choices.FirstOrDefault(choice => string.Equals(choice, text, StringComparison.OrdinalIgnoreCase))
            ?? throw new InvalidContextException($"Context '{key}' must be one of {string.Join(", ", choices)} (was '{text}').");
    }

    public string? Arn(string key, string service)
    {
        if (Text(key) is not { } text)
        {
            return null;
        }

        if (!text.StartsWith("arn:", StringComparison.Ordinal) || !text.Contains($":{service}:", StringComparison.Ordinal))
        {
            throw new InvalidContextException($"Context '{key}' must be an ARN of service '{service}' (arn:aws:{service}:REGION:ACCOUNT:...), was '{text}'.");
        }

        return text;
    }
}
