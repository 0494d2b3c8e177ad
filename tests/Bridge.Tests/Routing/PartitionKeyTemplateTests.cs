using System.Security.Cryptography;
using System.Text;
using Bridge.Aws.DynamoDbStreams;
using Bridge.Routing;
using static Bridge.Tests.Routing.RecordJson;

namespace Bridge.Tests.Routing;

/// <summary><c>PartitionKey</c> templates (<c>{tenant}#{roomId}</c>) and <c>PartitionKeyPattern</c>, through the router.</summary>
public class PartitionKeyTemplateTests
{
    private static readonly OutputRecordEncoder Encoder = new("Rooms", "arn:aws:dynamodb:us-east-1:1:table/Rooms/stream/x", "shardId-1");

    private static readonly string Image = "{" + string.Join(',',
        "\"tenant\":{\"S\":\"acme\"}",
        "\"roomId\":{\"N\":\"007.50\"}",
        "\"id\":{\"S\":\"12:12:msg3\"}",
        "\"blob\":{\"B\":\"AAEC\"}",
        "\"meta\":{\"M\":{\"region\":{\"S\":\"eu\"}}}",
        "\"tags\":{\"SS\":[\"a\"]}",
        "\"empty\":{\"S\":\"\"}") + "}";

    public static TheoryData<string, string?, string> Keys => new()
    {
        { "{tenant}#{roomId}", null, "acme#7.5" }, // numbers canonical, as for a one-attribute key
        { "t={tenant}/{meta.region}/{blob}", null, "t=acme/eu/AAEC" },
        { "{tenant}", null, "acme" },
        { "id", "^(?<key>[^:]+:[^:]+):", "12:12" }, // a capture from one attribute
        { "{tenant}:{id}", "^(?<key>[^:]+):", "acme" }, // a capture from a template's result
        { "{id}", "(?<key>msg\\d+)$", "msg3" },
    };

    [Theory]
    [MemberData(nameof(Keys))]
    public void A_template_renders_each_part_then_the_pattern_picks_its_key_group(string template, string? pattern, string expected)
    {
        foreach (bool located in new[] { false, true })
        {
            RouteOutcome outcome = Route(template, pattern, Build(keys: Item("pk", "S", "\"p\""), newImage: Image), located);
            Assert.True(outcome.IsRouted, outcome.ToString());
            Assert.Equal(expected, outcome.PartitionKey);
        }
    }

    [Fact]
    public void Parts_come_from_the_freshest_image_that_has_them()
    {
        byte[] json = Build(keys: Item("roomId", "S", "\"r1\""), oldImage: "{\"tenant\":{\"S\":\"old\"},\"roomId\":{\"S\":\"r1\"}}");
        Assert.Equal("old#r1", Route("{tenant}#{roomId}", null, json, located: true).PartitionKey);
    }

    [Fact]
    public void A_result_over_256_characters_is_replaced_by_its_digest()
    {
        string longValue = new('x', 200);
        byte[] json = Build(keys: Item("pk", "S", "\"p\""), newImage: $"{{\"a\":{{\"S\":\"{longValue}\"}},\"b\":{{\"S\":\"{longValue}\"}}}}");
        string whole = longValue + "|" + longValue;

        RouteOutcome outcome = Route("{a}|{b}", null, json, located: true);

        Assert.Equal("sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(whole))), outcome.PartitionKey);
    }

    [Fact]
    public void A_part_over_256_characters_is_not_hashed_on_its_own_when_the_pattern_cuts_it_down()
    {
        string longValue = "room-1:" + new string('x', 300);
        byte[] json = Build(keys: Item("pk", "S", "\"p\""), newImage: $"{{\"id\":{{\"S\":\"{longValue}\"}}}}");
        Assert.Equal("room-1", Route("id", "^(?<key>[^:]+):", json, located: true).PartitionKey);
    }

    [Theory]
    [InlineData("{tenant}#{nobody}", null, "MissingKey", "'nobody' of '{tenant}#{nobody}'")]
    [InlineData("{tenant}#{tags}", null, "UnsupportedKeyType", "'tags' of '{tenant}#{tags}'", "SS")]
    [InlineData("{meta.region.x}#{tenant}", null, "UnsupportedKeyType", "'meta.region.x' of")]
    [InlineData("id", "^(?<key>x+):", "KeyPatternMismatch", "'id' gives no key: the pattern does not match the value")]
    [InlineData("{empty}", null, "EmptyKey", "'{empty}'")]
    [InlineData("id", "^(?<key>z?)", "EmptyKey", "'id'")] // an empty capture is an empty key
    [InlineData("{nobody}", null, "MissingKey", "'{nobody}' is in none")]
    public void A_part_that_cannot_be_read_or_a_value_the_pattern_misses_is_undeliverable(string template, string? pattern, string reason, params string[] messageParts)
    {
        RouteOutcome outcome = Route(template, pattern, Build(keys: Item("pk", "S", "\"p\""), newImage: Image), located: true);
        Assert.Equal(reason, outcome.Reason.ToString());
        foreach (string part in messageParts)
        {
            Assert.Contains(part, outcome.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_catastrophic_pattern_times_out_as_one_undeliverable_record()
    {
        string value = new string('a', 40) + "!";
        byte[] json = Build(keys: Item("pk", "S", "\"p\""), newImage: $"{{\"id\":{{\"S\":\"{value}\"}}}}");
        RouteOutcome outcome = Route("id", "^(?<key>(\\w+\\s?)*)$", json, located: true);
        Assert.Equal(UndeliverableReason.KeyPatternMismatch, outcome.Reason);
        Assert.Contains("longer than 100 ms", outcome.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{tenant", null, "has a '{' without its '}' at position 1", false)]
    [InlineData("tenant}", null, "has a '}' without '{' at position 7", false)]
    [InlineData("{a{b}}", null, "has a '{' without its '}'", false)]
    [InlineData("x{}y", null, "has an empty part '{}' at position 2", false)]
    [InlineData("{meta..x}", null, "has an empty segment", false)]
    [InlineData("id", "(?<key>[", "PartitionKeyPattern '(?<key>[' is not a valid regular expression", true)]
    [InlineData("id", "^([^:]+):", "has no group named 'key'", true)]
    public void Bad_templates_and_patterns_are_refused(string template, string? pattern, string expected, bool blamesPattern)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => new PartitionKeySelector(template, pattern));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Equal(blamesPattern, error.ParamName == "pattern");
    }

    /// <param name="located">As the decoder hands records over: with the template's first path located.</param>
    private static RouteOutcome Route(string template, string? pattern, byte[] json, bool located)
    {
        var selector = new PartitionKeySelector(template, pattern);
        AttributeLocation location = default;
        if (located)
        {
            location = selector.Path.LocateIn(json);
        }

        var record = new StreamRecord(json, SequenceNumber.Parse("000000000000000000123"), "MODIFY", DateTimeOffset.FromUnixTimeSeconds(1_700_000_000), 26, location);
        return new RecordRouter(selector, Encoder).Route(record);
    }
}
