using System.Text;
using Bridge.Aws.DynamoDbStreams;
using Bridge.Filtering;
using static Bridge.Tests.Routing.RecordJson;

namespace Bridge.Tests.Filtering;

/// <summary><c>IgnoreModifiesOf</c> and how it combines with <c>Filter</c>.</summary>
public class SourceFilterTests
{
    private const string Arn = "arn:aws:dynamodb:us-east-1:1:table/Rooms/stream/x";

    private static readonly string Keys = Item("roomId", "S", "\"r1\"");

    private static string Image(string heartbeat, string title = "hello", string extra = "") =>
        $"{{\"roomId\":{{\"S\":\"r1\"}},\"title\":{{\"S\":\"{title}\"}},\"seenAt\":{{\"N\":\"{heartbeat}\"}}{extra}}}";

    [Theory]
    [InlineData("1", "2", "hello", "hello", "", "", "IgnoreModifiesOf")] // only the heartbeat changed
    [InlineData("1", "1", "hello", "hello", "", "", "IgnoreModifiesOf")] // nothing changed
    [InlineData("1", "2", "hello", "bye", "", "", "Forward")] // the title changed too
    [InlineData("1", "2", "hello", "hello", "", ",\"pinned\":{\"BOOL\":true}", "Forward")] // an attribute appeared
    [InlineData("1", "2", "hello", "hello", ",\"pinned\":{\"BOOL\":true}", "", "Forward")] // an attribute disappeared
    [InlineData("1", "2", "hello", "hello", ",\"ttl\":{\"N\":\"5\"}", "", "IgnoreModifiesOf")] // an ignored attribute disappeared
    public void A_MODIFY_that_changed_only_ignored_attributes_is_not_forwarded(string oldBeat, string newBeat, string oldTitle, string newTitle, string oldExtra, string newExtra, string expected)
    {
        var filter = SourceFilter.For(null, ["seenAt", "ttl"], Arn)!;
        byte[] json = Build(Keys, newImage: Image(newBeat, newTitle, newExtra), oldImage: Image(oldBeat, oldTitle, oldExtra));
        Assert.Equal(expected, filter.Check(Record(json, "MODIFY")).ToString());
    }

    [Theory]
    [InlineData("INSERT")]
    [InlineData("REMOVE")]
    public void Only_MODIFY_events_are_judged(string eventName)
    {
        var filter = SourceFilter.For(null, ["seenAt"], Arn)!;
        byte[] json = Build(Keys, newImage: Image("2"), oldImage: Image("1"));
        Assert.Equal(FilterVerdict.Forward, filter.Check(Record(json, eventName)));
    }

    [Fact]
    public void A_MODIFY_without_both_images_is_forwarded_since_it_cannot_be_judged()
    {
        var filter = SourceFilter.For(null, ["seenAt"], Arn)!;
        Assert.Equal(FilterVerdict.Forward, filter.Check(Record(Build(Keys, newImage: Image("2")), "MODIFY")));
    }

    [Fact]
    public void The_pattern_is_checked_first_and_each_reason_is_told_apart()
    {
        var filter = SourceFilter.For("""{"dynamodb":{"NewImage":{"title":{"S":["hello"]}}}}""", ["seenAt"], Arn)!;
        Assert.Equal(FilterVerdict.Pattern, filter.Check(Record(Build(Keys, newImage: Image("2", "bye"), oldImage: Image("1", "bye")), "MODIFY")));
        Assert.Equal(FilterVerdict.IgnoreModifiesOf, filter.Check(Record(Build(Keys, newImage: Image("2"), oldImage: Image("1")), "MODIFY")));
        Assert.Equal(FilterVerdict.Forward, filter.Check(Record(Build(Keys, newImage: Image("2"), oldImage: Image("1", "bye")), "MODIFY")));
    }

    [Fact]
    public void No_filter_is_built_when_the_source_asks_for_none() => Assert.Null(SourceFilter.For(" ", [], Arn));

    [Fact]
    public void A_record_that_is_not_JSON_is_forwarded_so_that_routing_reports_it()
    {
        var filter = SourceFilter.For("""{"eventName":["INSERT"]}""", ["seenAt"], Arn)!;
        Assert.Equal(FilterVerdict.Forward, filter.Check(Record(Encoding.UTF8.GetBytes("{\"eventName\":"), "MODIFY")));
    }

    private static StreamRecord Record(byte[] json, string eventName) =>
        new(json, SequenceNumber.Parse("000000000000000000123"), eventName, DateTimeOffset.FromUnixTimeSeconds(1_700_000_000), 26);
}
