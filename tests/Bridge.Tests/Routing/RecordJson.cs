using System.Text;

namespace Bridge.Tests.Routing;

/// <summary>Builds DynamoDB stream record JSON for tests, with its fields in a chosen order.</summary>
internal static class RecordJson
{
    /// <summary>Seeds that give different field orders; tests run once per seed.</summary>
    public static IEnumerable<int> Orders => Enumerable.Range(0, 12);

    public static TheoryData<int> FieldOrders => new(Orders);

    /// <param name="keys">The <c>Keys</c> object as JSON, or null to leave it out.</param>
    /// <param name="newImage">The <c>NewImage</c> object as JSON, or null to leave it out.</param>
    /// <param name="oldImage">The <c>OldImage</c> object as JSON, or null to leave it out.</param>
    /// <param name="order">0 for the order DynamoDB usually sends; any other value shuffles the fields of
    /// the record and of <c>dynamodb</c> with that seed.</param>
    public static byte[] Build(string? keys, string? newImage = null, string? oldImage = null, int order = 0) =>
        Encoding.UTF8.GetBytes(Text(keys, newImage, oldImage, order));

    public static string Text(string? keys, string? newImage = null, string? oldImage = null, int order = 0)
    {
        var dynamodb = new List<(string Name, string Json)> { ("ApproximateCreationDateTime", "1.700000000E9") };
        AddIf(dynamodb, "Keys", keys);
        AddIf(dynamodb, "NewImage", newImage);
        AddIf(dynamodb, "OldImage", oldImage);
        dynamodb.Add(("SequenceNumber", "\"000000000000000000123\""));
        dynamodb.Add(("SizeBytes", "26"));
        dynamodb.Add(("StreamViewType", "\"NEW_AND_OLD_IMAGES\""));

        var record = new List<(string Name, string Json)>
        {
            ("eventID", "\"c81e728d9d4c2f636f067f89cc14862c\""),
            ("eventName", "\"MODIFY\""),
            ("eventVersion", "\"1.1\""),
            ("eventSource", "\"aws:dynamodb\""),
            ("awsRegion", "\"us-east-1\""),
            ("dynamodb", ObjectOf(Shuffled(dynamodb, order))),
            ("userIdentity", "{\"principalId\":\"dynamodb.amazonaws.com\",\"type\":\"Service\"}"),
        };
        return ObjectOf(Shuffled(record, order + 1000));
    }

    /// <summary>A record whose <c>roomId</c> key is an S holding bytes that are not UTF-8 (0xC3 0x28).</summary>
    public static byte[] InvalidUtf8Key => [.. "{\"dynamodb\":{\"Keys\":{\"roomId\":{\"S\":\"a"u8, 0xC3, 0x28, .. "\"}}}}"u8];

    /// <summary>An attribute map with one attribute: <c>{"name":{"type":value}}</c>.</summary>
    public static string Item(string name, string type, string valueJson) => $"{{\"{name}\":{{\"{type}\":{valueJson}}}}}";

    /// <summary>An S attribute value as JSON, <c>{"S":"…"}</c>.</summary>
    public static string S(string value) => $"{{\"S\":\"{value}\"}}";

    private static void AddIf(List<(string, string)> fields, string name, string? json)
    {
        if (json is not null)
        {
            fields.Add((name, json));
        }
    }

    private static List<(string Name, string Json)> Shuffled(List<(string Name, string Json)> fields, int seed)
    {
        if (seed % 1000 == 0)
        {
            return fields;
        }

        var copy = fields.ToArray();
        new Random(seed).Shuffle(copy);
        return [.. copy];
    }

    private static string ObjectOf(List<(string Name, string Json)> fields) =>
        "{" + string.Join(",", fields.Select(f => $"\"{f.Name}\":{f.Json}")) + "}";
}
