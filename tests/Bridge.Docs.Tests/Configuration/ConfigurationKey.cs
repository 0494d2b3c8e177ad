using System.Collections;
using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using Bridge.Aws.Protocol;
using Bridge.Forwarding;
using Microsoft.Extensions.Configuration;

namespace Bridge.Docs.Tests.Configuration;

/// <summary>
/// One configuration key the host binds: its path with <c>N</c> for a list index and <c>NAME</c> for a dictionary key
/// (<c>Bridge:Sources:N:PartitionKey</c>, <c>Aws:ServiceUrls:NAME</c>), the type its value converts to, its default,
/// and the property that declares it.
/// </summary>
internal sealed record ConfigurationKey(string Path, Type ValueType, object? Default, string DeclaredBy)
{
    public const string ListIndex = "N";
    public const string DictionaryKey = "NAME";
    public const string AwsSection = "Aws";

    /// <summary>Every key under the sections the host binds (<c>Bridge</c> and <c>Aws</c>, see
    /// <c>ServiceCollectionExtensions.AddBridgeOptions</c>), found by walking the options types as the binder does.</summary>
    public static IReadOnlyList<ConfigurationKey> All { get; } =
    [
        .. Walk(BridgeOptions.SectionName, new BridgeOptions()),
        .. Walk(AwsSection, new AwsClientOptions()),
    ];

    /// <summary>The key a concrete key (<c>Bridge:Sources:0:TableName</c>, <c>Aws:ServiceUrls:kinesis</c>) or a
    /// documented one with placeholders lands in, or null when no options class declares it.</summary>
    public static ConfigurationKey? Find(string key) => All.FirstOrDefault(k => Matches(k.Path, key, wholeKey: true));

    /// <summary>Whether some key lies under this section (<c>Bridge:Sink</c>, <c>Bridge:Sources:0</c>).</summary>
    public static bool IsSection(string section) => All.Any(k => Matches(k.Path, section, wholeKey: false));

    /// <summary>Null when the real binder (with the host's <c>ErrorOnUnknownConfiguration</c>) accepts these settings
    /// for the <c>Bridge</c> and <c>Aws</c> sections, else its error.</summary>
    public static string? BindingError(IEnumerable<KeyValuePair<string, string?>> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        try
        {
            configuration.GetSection(BridgeOptions.SectionName).Bind(new BridgeOptions(), o => o.ErrorOnUnknownConfiguration = true);
            configuration.GetSection(AwsSection).Bind(new AwsClientOptions(), o => o.ErrorOnUnknownConfiguration = true);
            return null;
        }
        catch (InvalidOperationException ex)
        {
            return ex.Message;
        }
    }

    /// <summary>Whether a documented default (a configuration literal, or null for "no value") equals this key's default.</summary>
    public bool HasDefault(string? literal)
    {
        if (Default is null or "" or ICollection { Count: 0 })
        {
            return literal is null;
        }

        if (literal is null)
        {
            return false;
        }

        try
        {
            return Equals(TypeDescriptor.GetConverter(ValueType).ConvertFromInvariantString(literal), Default);
        }
        catch (Exception ex) when (ex is FormatException or NotSupportedException or ArgumentException)
        {
            return false;
        }
    }

    /// <summary>The default as it would be written in configuration, for failure messages.</summary>
    public string DefaultLiteral => Default switch
    {
        null or "" or ICollection { Count: 0 } => "—",
        TimeSpan span => span.ToString("c", CultureInfo.InvariantCulture),
        IFormattable value => value.ToString(null, CultureInfo.InvariantCulture),
        var value => value.ToString() ?? "—",
    };

    private static bool Matches(string path, string key, bool wholeKey)
    {
        var expected = path.Split(':');
        var given = key.Split(':');
        if (wholeKey ? given.Length != expected.Length : given.Length >= expected.Length)
        {
            return false;
        }

        for (var i = 0; i < given.Length; i++)
        {
            var matches = expected[i] switch
            {
                ListIndex => given[i] == ListIndex || (given[i].Length > 0 && given[i].All(char.IsAsciiDigit)),
                DictionaryKey => given[i].Length > 0,
                var name => string.Equals(name, given[i], StringComparison.OrdinalIgnoreCase),
            };
            if (!matches)
            {
                return false;
            }
        }

        return true;
    }

    private static IEnumerable<ConfigurationKey> Walk(string prefix, object instance)
    {
        foreach (var property in instance.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetMethod?.IsPublic != true || property.GetIndexParameters().Length > 0)
            {
                continue;
            }

            var path = $"{prefix}:{property.Name}";
            var type = property.PropertyType;
            if (IsValue(type))
            {
                // The binder sets only what has a public setter; a get-only value (StartAtLatest) is derived, not a key.
                if (property.SetMethod?.IsPublic == true)
                {
                    yield return new ConfigurationKey(path, Nullable.GetUnderlyingType(type) ?? type, property.GetValue(instance), DeclarerOf(property));
                }
            }
            else if (DictionaryValueType(type) is { } valueType)
            {
                foreach (var key in Element($"{path}:{DictionaryKey}", property, valueType))
                {
                    yield return key;
                }
            }
            else if (ElementType(type) is { } elementType)
            {
                foreach (var key in Element($"{path}:{ListIndex}", property, elementType))
                {
                    yield return key;
                }
            }
            else
            {
                foreach (var key in Walk(path, property.GetValue(instance) ?? Activator.CreateInstance(type)!))
                {
                    yield return key;
                }
            }
        }
    }

    private static IEnumerable<ConfigurationKey> Element(string path, PropertyInfo property, Type type) =>
        IsValue(type) ? [new ConfigurationKey(path, Nullable.GetUnderlyingType(type) ?? type, null, DeclarerOf(property))] : Walk(path, Activator.CreateInstance(type)!);

    private static string DeclarerOf(PropertyInfo property) => $"{property.DeclaringType!.FullName}.{property.Name}";

    /// <summary>A type the binder converts from one string (string, numbers, enums, TimeSpan, Uri, …).</summary>
    private static bool IsValue(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        return underlying == typeof(string) || TypeDescriptor.GetConverter(underlying).CanConvertFrom(typeof(string));
    }

    private static Type? DictionaryValueType(Type type) =>
        type.GetInterfaces().Append(type)
            .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDictionary<,>))
            ?.GetGenericArguments()[1];

    private static Type? ElementType(Type type) =>
        type == typeof(string) ? null
        : type.IsArray ? type.GetElementType()
        : type.GetInterfaces().Append(type)
            .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))
            ?.GetGenericArguments()[0];
}
