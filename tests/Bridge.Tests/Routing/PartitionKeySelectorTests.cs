using System.Security.Cryptography;
using System.Text;
using Bridge.Aws.DynamoDbStreams;
using Bridge.Routing;
using static Bridge.Tests.Routing.RecordJson;

namespace Bridge.Tests.Routing;

public class PartitionKeySelectorTests
{
    private static readonly PartitionKeySelector RoomId = new("roomId");

    /// <summary>Which sources hold the attribute, and which one must win.</summary>
    private static readonly Dictionary<string, (bool InNew, bool InOld, ImageKind Winner)> PriorityCases = new()
    {
        ["NewImage over OldImage and Keys"] = (true, true, ImageKind.NewImage),
        ["OldImage over Keys"] = (false, true, ImageKind.OldImage),
        ["Keys when no image has it"] = (false, false, ImageKind.Keys),
    };

    public static TheoryData<string, int> PriorityInEveryFieldOrder
    {
        get
        {
            var data = new TheoryData<string, int>();
            foreach ((string name, int order) in from name in PriorityCases.Keys from order in Orders select (name, order))
            {
                data.Add(name, order);
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(PriorityInEveryFieldOrder))]
    public void Sources_are_tried_NewImage_then_OldImage_then_Keys_in_any_field_order(string priorityCase, int order)
    {
        (bool inNew, bool inOld, ImageKind winner) = PriorityCases[priorityCase];
        string ImageWith(bool hasKey, string value) => hasKey ? Item("roomId", "S", $"\"{value}\"") : Item("other", "S", "\"x\"");
        byte[] json = Build(
            keys: Item("roomId", "S", "\"Keys\""),
            newImage: ImageWith(inNew, "NewImage"),
            oldImage: ImageWith(inOld, "OldImage"),
            order: order);

        KeySelection selection = RoomId.Select(json);

        Assert.Equal(KeySelectionStatus.Selected, selection.Status);
        Assert.Equal(winner.ToString(), selection.Key);
        Assert.Equal(winner, selection.Source);
    }

    [Theory]
    [MemberData(nameof(FieldOrders), MemberType = typeof(RecordJson))]
    public void Absent_images_are_skipped(int order)
    {
        // KEYS_ONLY and NEW_IMAGE streams, INSERT (no OldImage) and REMOVE (no NewImage).
        Assert.Equal("k", RoomId.Select(Build(keys: Item("roomId", "S", "\"k\""), order: order)).Key);
        Assert.Equal("o", RoomId.Select(Build(keys: Item("roomId", "S", "\"k\""), oldImage: Item("roomId", "S", "\"o\""), order: order)).Key);
        Assert.Equal("n", RoomId.Select(Build(keys: Item("roomId", "S", "\"k\""), newImage: Item("roomId", "S", "\"n\""), order: order)).Key);
    }

    [Fact]
    public void An_attribute_removed_by_a_MODIFY_is_read_from_OldImage()
    {
        byte[] json = Build(keys: Item("pk", "S", "\"p\""), newImage: Item("pk", "S", "\"p\""), oldImage: "{\"pk\":{\"S\":\"p\"},\"roomId\":{\"S\":\"r1\"}}");

        Assert.Equal("r1", RoomId.Select(json).Key);
    }

    [Fact]
    public void An_unusable_value_in_NewImage_decides_rather_than_falling_through()
    {
        // Falling through to Keys would route this item's changes by two different values.
        byte[] json = Build(keys: Item("roomId", "S", "\"r1\""), newImage: Item("roomId", "M", "{}"));

        KeySelection selection = RoomId.Select(json);

        Assert.Equal(KeySelectionStatus.UnsupportedType, selection.Status);
        Assert.Equal(ImageKind.NewImage, selection.Source);
        Assert.Equal(AttributeType.M, selection.Type);
    }

    [Fact]
    public void A_path_in_none_of_the_sources_is_missing()
    {
        byte[] json = Build(keys: Item("pk", "S", "\"p\""), newImage: Item("pk", "S", "\"p\""), oldImage: Item("pk", "S", "\"p\""));

        KeySelection selection = RoomId.Select(json);

        Assert.Equal(KeySelectionStatus.MissingAttribute, selection.Status);
        Assert.Null(selection.Key);
    }

    [Theory]
    [InlineData("S", "\"r1\"", "r1")]
    [InlineData("S", "\"caf\\u00e9 \\\"quoted\\\" \\/\"", "café \"quoted\" /")]
    [InlineData("S", "\"日本語\"", "日本語")]
    [InlineData("N", "\"42\"", "42")]
    [InlineData("N", "\"007.50\"", "7.5")]
    [InlineData("B", "\"AAEC/w==\"", "AAEC/w==")]
    [InlineData("B", "\"AAEC\\/w==\"", "AAEC/w==")]
    [InlineData("BOOL", "true", "true")]
    [InlineData("BOOL", "false", "false")]
    public void Scalar_types_become_keys(string type, string valueJson, string expected)
    {
        KeySelection selection = RoomId.Select(Build(keys: Item("roomId", type, valueJson)));

        Assert.Equal(KeySelectionStatus.Selected, selection.Status);
        Assert.Equal(expected, selection.Key);
    }

    [Theory]
    [InlineData("M", "{\"a\":{\"S\":\"x\"}}")]
    [InlineData("L", "[{\"S\":\"x\"}]")]
    [InlineData("SS", "[\"a\",\"b\"]")]
    [InlineData("NS", "[\"1\",\"2\"]")]
    [InlineData("BS", "[\"AA==\"]")]
    [InlineData("NULL", "true")]
    public void Other_types_are_unsupported_and_named(string type, string valueJson)
    {
        KeySelection selection = RoomId.Select(Build(keys: Item("pk", "S", "\"p\""), newImage: Item("roomId", type, valueJson)));

        Assert.Equal(KeySelectionStatus.UnsupportedType, selection.Status);
        Assert.Equal(type, AttributeTypeCodes.Code(selection.Type));
        Assert.Null(selection.Detail);
    }

    [Theory]
    [InlineData("S")]
    [InlineData("B")]
    public void Empty_S_and_B_are_empty_keys(string type)
    {
        KeySelection selection = RoomId.Select(Build(keys: Item("roomId", type, "\"\"")));

        Assert.Equal(KeySelectionStatus.Empty, selection.Status);
        Assert.Equal(type, AttributeTypeCodes.Code(selection.Type));
    }

    [Fact]
    public void A_property_name_spelled_with_escapes_still_matches()
    {
        Assert.Equal("r1", RoomId.Select(Build(keys: "{\"room\\u0049d\":{\"S\":\"r1\"}}")).Key);
    }

    [Fact]
    public void A_dotted_path_descends_into_maps()
    {
        var selector = new PartitionKeySelector("meta.tenant.id");
        string image = "{\"pk\":{\"S\":\"p\"},\"meta\":{\"M\":{\"other\":{\"S\":\"no\"},\"tenant\":{\"M\":{\"id\":{\"N\":\"1E2\"}}}}}}";

        KeySelection selection = selector.Select(Build(keys: Item("pk", "S", "\"p\""), newImage: image));

        Assert.Equal("100", selection.Key);
        Assert.Equal(ImageKind.NewImage, selection.Source);
    }

    [Fact]
    public void A_dotted_path_absent_inside_a_map_falls_through_to_the_next_source()
    {
        var selector = new PartitionKeySelector("meta.tenant");
        string newImage = "{\"meta\":{\"M\":{\"other\":{\"S\":\"no\"}}}}";
        string oldImage = "{\"meta\":{\"M\":{\"tenant\":{\"S\":\"t1\"}}}}";

        KeySelection selection = selector.Select(Build(keys: Item("pk", "S", "\"p\""), newImage: newImage, oldImage: oldImage));

        Assert.Equal("t1", selection.Key);
        Assert.Equal(ImageKind.OldImage, selection.Source);
    }

    [Theory]
    [InlineData("S", "\"flat\"")]
    [InlineData("L", "[{\"M\":{\"tenant\":{\"S\":\"t\"}}}]")]
    [InlineData("NULL", "true")]
    public void A_dotted_path_through_a_non_map_is_unsupported_and_names_the_prefix(string type, string valueJson)
    {
        var selector = new PartitionKeySelector("meta.tenant");

        KeySelection selection = selector.Select(Build(keys: Item("pk", "S", "\"p\""), newImage: Item("meta", type, valueJson)));

        Assert.Equal(KeySelectionStatus.UnsupportedType, selection.Status);
        Assert.Equal(type, AttributeTypeCodes.Code(selection.Type));
        Assert.Equal("meta", selection.Detail);
    }

    [Fact]
    public void A_key_nested_as_deep_as_DynamoDB_allows_is_found()
    {
        // 32 levels of maps: deeper than Utf8JsonReader's default depth of 64 allows.
        const int levels = 32;
        string path = string.Join('.', Enumerable.Range(0, levels).Select(i => $"m{i}"));
        string value = "{\"S\":\"deep\"}";
        for (int i = levels - 1; i > 0; i--)
        {
            value = $"{{\"M\":{{\"m{i}\":{value}}}}}";
        }

        KeySelection selection = new PartitionKeySelector(path).Select(Build(keys: Item("pk", "S", "\"p\""), newImage: $"{{\"m0\":{value}}}"));

        Assert.Equal("deep", selection.Key);
    }

    [Fact]
    public void A_key_of_exactly_256_characters_is_kept()
    {
        string key = new('k', PartitionKeyLimit.MaxLength);

        Assert.Equal(key, RoomId.Select(Build(keys: Item("roomId", "S", $"\"{key}\""))).Key);
    }

    [Theory]
    [InlineData(257, 'k')]
    [InlineData(1000, 'k')]
    [InlineData(257, 'é')]
    public void A_key_longer_than_256_characters_is_replaced_by_its_digest(int length, char c)
    {
        string key = new(c, length);

        string? selected = RoomId.Select(Build(keys: Item("roomId", "S", $"\"{key}\""))).Key;

        Assert.Equal("sha256:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key))).ToLowerInvariant(), selected);
        Assert.Equal(71, selected!.Length);
    }

    [Fact]
    public void Non_ASCII_characters_count_as_characters_not_bytes()
    {
        // 256 characters, 512 UTF-8 bytes: within the limit.
        string key = new('é', PartitionKeyLimit.MaxLength);

        Assert.Equal(key, RoomId.Select(Build(keys: Item("roomId", "S", $"\"{key}\""))).Key);
    }

    [Fact]
    public void Characters_outside_the_BMP_count_as_two()
    {
        // Counted as UTF-16 units on purpose (see PartitionKeyLimit.MaxLength): 128 emoji fit, 129 do not.
        string fits = string.Concat(Enumerable.Repeat("😀", 128));
        string over = fits + "😀";

        Assert.Equal(fits, RoomId.Select(Build(keys: Item("roomId", "S", $"\"{fits}\""))).Key);
        Assert.StartsWith("sha256:", RoomId.Select(Build(keys: Item("roomId", "S", $"\"{over}\""))).Key, StringComparison.Ordinal);
    }

    [Fact]
    public void A_long_escaped_key_is_unescaped_before_it_is_measured_and_hashed()
    {
        // 300 escaped characters are 1800 bytes of JSON: more than the stack buffer, so the pooled path runs.
        string escaped = string.Concat(Enumerable.Repeat("\\u00e9", 300));
        string key = new('é', 300);

        string? selected = RoomId.Select(Build(keys: Item("roomId", "S", $"\"{escaped}\""))).Key;

        Assert.Equal("sha256:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key))).ToLowerInvariant(), selected);
    }

    public static TheoryData<string, string> MalformedRecords => new()
    {
        { "empty", "" },
        { "not JSON", "roomId=r1" },
        { "an array", "[1,2]" },
        { "a string", "\"{}\"" },
        { "no dynamodb", "{\"eventName\":\"INSERT\"}" },
        { "dynamodb not an object", "{\"dynamodb\":[]}" },
        { "dynamodb without Keys or images", "{\"dynamodb\":{\"SequenceNumber\":\"1\"}}" },
        { "Keys not an object", "{\"dynamodb\":{\"Keys\":\"roomId\"}}" },
        { "attribute value not an object", "{\"dynamodb\":{\"Keys\":{\"roomId\":\"r1\"}}}" },
        { "attribute value without type", "{\"dynamodb\":{\"Keys\":{\"roomId\":{}}}}" },
        { "attribute value with two types", "{\"dynamodb\":{\"Keys\":{\"roomId\":{\"S\":\"r1\",\"N\":\"1\"}}}}" },
        { "unknown type", "{\"dynamodb\":{\"Keys\":{\"roomId\":{\"X\":\"r1\"}}}}" },
        { "S not a string", "{\"dynamodb\":{\"Keys\":{\"roomId\":{\"S\":1}}}}" },
        { "BOOL not a literal", "{\"dynamodb\":{\"Keys\":{\"roomId\":{\"BOOL\":\"true\"}}}}" },
        { "N not a number", "{\"dynamodb\":{\"Keys\":{\"roomId\":{\"N\":\"12abc\"}}}}" },
        { "N empty", "{\"dynamodb\":{\"Keys\":{\"roomId\":{\"N\":\"\"}}}}" },
        { "trailing content", "{\"dynamodb\":{\"Keys\":{\"roomId\":{\"S\":\"r1\"}}}}{}" },
        { "lone surrogate escape", "{\"dynamodb\":{\"Keys\":{\"roomId\":{\"S\":\"a\\ud800b\"}}}}" },
        { "trailing comma", "{\"dynamodb\":{\"Keys\":{\"roomId\":{\"S\":\"r1\"}},}}" },
    };

    [Theory]
    [MemberData(nameof(MalformedRecords))]
    public void Records_that_are_not_stream_records_are_malformed(string why, string json)
    {
        KeySelection selection = RoomId.Select(Encoding.UTF8.GetBytes(json));

        Assert.True(selection.Status == KeySelectionStatus.Malformed, $"{why}: got {selection.Status}");
        Assert.False(string.IsNullOrEmpty(selection.Detail));
    }

    [Fact]
    public void A_key_of_invalid_UTF8_is_malformed()
    {
        Assert.Equal(KeySelectionStatus.Malformed, RoomId.Select(InvalidUtf8Key).Status);
    }

    [Fact]
    public void Every_truncation_of_a_record_is_malformed()
    {
        // The key sits early, so a selector that stopped reading once it had the key would pass it.
        byte[] json = Build(keys: Item("roomId", "S", "\"r1\""), newImage: Item("roomId", "S", "\"r1\""));
        Assert.Equal("r1", RoomId.Select(json).Key);

        for (int length = 0; length < json.Length; length++)
        {
            KeySelection selection = RoomId.Select(json.AsSpan(0, length));
            Assert.True(selection.Status == KeySelectionStatus.Malformed, $"prefix of {length} bytes: {selection.Status}");
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("meta.")]
    [InlineData(".tenant")]
    [InlineData("meta..tenant")]
    public void Paths_with_empty_segments_are_rejected_with_a_clear_message(string path)
    {
        var error = Assert.Throws<ArgumentException>("path", () => new PartitionKeySelector(path));

        Assert.Contains($"'{path}' has an empty segment", error.Message, StringComparison.Ordinal);
        Assert.Contains("meta.tenant", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_null_path_is_rejected()
    {
        Assert.Throws<ArgumentNullException>("partitionKey", () => new PartitionKeySelector(null!));
    }

    [Theory]
    [InlineData("BOOL", "true", 0)]
    [InlineData("S", "\"r1\"", 32)]
    [InlineData("N", "\"+0012.500\"", 32)]
    public void Selecting_allocates_only_the_key_string(string type, string valueJson, long maxBytes)
    {
        // Large images around the key: what is allocated must not grow with the record.
        string filler = string.Join(",", Enumerable.Range(0, 200).Select(i => $"\"a{i}\":{{\"S\":\"{new string('x', 50)}\"}}"));
        string image = $"{{{filler},\"roomId\":{{\"{type}\":{valueJson}}}}}";
        byte[] json = Build(keys: Item("pk", "S", "\"p\""), newImage: image, oldImage: image);
        for (int i = 0; i < 100; i++)
        {
            RoomId.Select(json);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        KeySelection selection = RoomId.Select(json);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(selection.IsSelected);
        Assert.InRange(allocated, 0, maxBytes);
    }
}
