using System.Text;
using Bridge.Filtering;

namespace Bridge.Tests.Filtering;

/// <summary>
/// The EventBridge / Lambda event filtering pattern semantics, case by case as AWS documents them (Lambda's "Control which
/// events Lambda sends to your function" and "Using event filtering with a DynamoDB event source", and the event-ruler
/// README), against a DynamoDB stream record.
/// </summary>
public class EventPatternTests
{
    private const string Arn = "arn:aws:dynamodb:us-east-1:123456789012:table/Customers/stream/2024-01-01T00:00:00.000";

    /// <summary>The stream record of the Lambda documentation's example, with attributes of every kind the cases need.</summary>
    private const string Record = """
        {"eventID":"1","eventName":"MODIFY","eventVersion":"1.1","eventSource":"aws:dynamodb","awsRegion":"us-east-1",
         "dynamodb":{"ApproximateCreationDateTime":1.678831218E9,
           "Keys":{"CustomerName":{"S":"AnyCompany Industries"}},
           "NewImage":{"AccountManager":{"S":"Pat Candella"},"PaymentTerms":{"S":"60 days"},"CustomerName":{"S":"AnyCompany Industries"},
             "Quantity":{"N":"30"},"Big":{"N":"3.018E2"},"Active":{"BOOL":true},"Gone":{"NULL":true},"Empty":{"S":""},
             "Tags":{"SS":["blue","green"]},"City":{"S":"caf\u00e9"},
             "Lines":{"L":[{"M":{"sku":{"S":"a-1"},"qty":{"N":"2"}}},{"M":{"sku":{"S":"b-2"},"qty":{"N":"5"}}}]},
             "Address":{"M":{"Zip":{"S":"98101"}}}},
           "OldImage":{"AccountManager":{"S":"Sam"},"CustomerName":{"S":"AnyCompany Industries"}},
           "SequenceNumber":"111","SizeBytes":26,"StreamViewType":"NEW_AND_OLD_IMAGES"},
         "userIdentity":null,"note":null,"score":5,"label":"5"}
        """;

    private static bool Matches(string pattern, string record = Record) =>
        EventPatternCompiler.Compile(pattern).Matches(Encoding.UTF8.GetBytes(record), Encoding.UTF8.GetBytes(Arn));

    private static string NewImage(string attribute, string type, string values) =>
        "{\"dynamodb\":{\"NewImage\":{\"" + attribute + "\":{\"" + type + "\":" + values + "}}}}";

    [Theory]
    [InlineData("""{"eventName":["MODIFY"]}""", true)]
    [InlineData("""{"eventName":["INSERT"]}""", false)]
    [InlineData("""{"eventName":["INSERT","MODIFY"]}""", true)] // a list is an OR
    [InlineData("""{"eventName":["modify"]}""", false)] // exact is case-sensitive
    [InlineData("""{"dynamodb":{"Keys":{"CustomerName":{"S":["AnyCompany Industries"]}}}}""", true)]
    [InlineData("""{"dynamodb":{"NewImage":{"AccountManager":{"S":["Pat Candella"]}}}}""", true)]
    [InlineData("""{"dynamodb":{"OldImage":{"AccountManager":{"S":["Pat Candella"]}}}}""", false)]
    [InlineData("""{"dynamodb":{"NewImage":{"Nobody":{"S":["Pat Candella"]}}}}""", false)] // a missing field matches no value
    [InlineData("""{"eventName":["MODIFY"],"dynamodb":{"NewImage":{"PaymentTerms":{"S":["60 days"]}}}}""", true)] // fields AND
    [InlineData("""{"eventName":["MODIFY"],"dynamodb":{"NewImage":{"PaymentTerms":{"S":["30 days"]}}}}""", false)]
    [InlineData("""{"dynamodb":{"NewImage":{"City":{"S":["café"]}}}}""", true)] // the record's escapes are decoded
    [InlineData("""{"dynamodb":{"NewImage":{"Empty":{"S":[""]}}}}""", true)] // empty string
    [InlineData("""{"dynamodb":{"NewImage":{"Active":{"BOOL":[true]}}}}""", true)]
    [InlineData("""{"dynamodb":{"NewImage":{"Active":{"BOOL":[false]}}}}""", false)]
    [InlineData("""{"dynamodb":{"NewImage":{"Active":{"BOOL":["true"]}}}}""", false)] // the string is not the literal
    [InlineData("""{"userIdentity":[null]}""", true)] // null matches a JSON null
    [InlineData("""{"missing":[null]}""", false)] // ... not a missing field
    [InlineData("""{"score":[5]}""", true)]
    [InlineData("""{"score":[5.0]}""", true)] // numbers compare as numbers
    [InlineData("""{"score":["5"]}""", false)] // a string does not match a number
    [InlineData("""{"label":[5]}""", false)] // a number does not match a string
    [InlineData("""{"dynamodb":{"SizeBytes":[26]}}""", true)]
    [InlineData("""{"eventSourceARN":["arn:aws:dynamodb:us-east-1:123456789012:table/Customers/stream/2024-01-01T00:00:00.000"]}""", true)] // as Lambda sees it
    [InlineData("""{"eventSourceARN":[{"prefix":"arn:aws:dynamodb:us-east-1:123456789012:table/Orders/"}]}""", false)]
    [InlineData("""{}""", true)] // no condition
    public void Exact_values(string pattern, bool expected) => Assert.Equal(expected, Matches(pattern));

    [Theory]
    [InlineData("""[{"prefix":"Pat"}]""", true)]
    [InlineData("""[{"prefix":"pat"}]""", false)]
    [InlineData("""[{"prefix":{"equals-ignore-case":"pAT c"}}]""", true)]
    [InlineData("""[{"prefix":""}]""", true)]
    [InlineData("""[{"suffix":"Candella"}]""", true)]
    [InlineData("""[{"suffix":"candella"}]""", false)]
    [InlineData("""[{"suffix":{"equals-ignore-case":"CANDELLA"}}]""", true)]
    [InlineData("""[{"equals-ignore-case":"pat candella"}]""", true)]
    [InlineData("""[{"equals-ignore-case":"pat"}]""", false)]
    [InlineData("""[{"anything-but":"Sam"}]""", true)]
    [InlineData("""[{"anything-but":"Pat Candella"}]""", false)]
    [InlineData("""[{"anything-but":["Sam","Pat Candella"]}]""", false)]
    [InlineData("""[{"anything-but":{"prefix":"Pat"}}]""", false)]
    [InlineData("""[{"anything-but":{"prefix":"Sam"}}]""", true)]
    [InlineData("""[{"anything-but":{"suffix":"Candella"}}]""", false)]
    [InlineData("""[{"anything-but":{"prefix":["Sam","Pat"]}}]""", false)]
    [InlineData("""[{"anything-but":{"suffix":["Sam","Alex"]}}]""", true)]
    [InlineData("""[{"anything-but":{"equals-ignore-case":"PAT CANDELLA"}}]""", false)]
    [InlineData("""[{"anything-but":{"equals-ignore-case":["sam","alex"]}}]""", true)]
    [InlineData("""["Sam",{"prefix":"Pa"}]""", true)] // exact OR prefix
    public void String_operators(string values, bool expected) => Assert.Equal(expected, Matches(NewImage("AccountManager", "S", values)));

    [Theory]
    [InlineData("Nobody", """[{"anything-but":"Sam"}]""")] // anything-but needs a value
    [InlineData("Nobody", """[{"prefix":""}]""")]
    [InlineData("Nobody", """[{"numeric":[">",0]}]""")]
    public void A_missing_field_matches_no_operator(string attribute, string values) =>
        Assert.False(Matches(NewImage(attribute, "S", values)));

    [Theory]
    [InlineData("""[{"numeric":[">",0,"<=",30]}]""", true)]
    [InlineData("""[{"numeric":[">",0,"<",30]}]""", false)] // upper bound exclusive
    [InlineData("""[{"numeric":[">=",30]}]""", true)]
    [InlineData("""[{"numeric":[">",30]}]""", false)]
    [InlineData("""[{"numeric":["<",30.5]}]""", true)]
    [InlineData("""[{"numeric":["=",30]}]""", true)]
    [InlineData("""[{"numeric":["=",3e1]}]""", true)]
    [InlineData("""[{"numeric":["=",31]}]""", false)]
    [InlineData("""[{"anything-but":[10,20]}]""", true)] // on the N string: "30" is neither number
    public void Numeric_on_a_DynamoDB_number(string values, bool expected) => Assert.Equal(expected, Matches(NewImage("Quantity", "N", values)));

    [Theory]
    [InlineData("""{"dynamodb":{"NewImage":{"Big":{"N":[{"numeric":["=",301.8]}]}}}}""", true)] // 3.018E2 on the wire
    [InlineData("""{"dynamodb":{"SizeBytes":[{"numeric":[">",25,"<=",26]}]}}""", true)] // a JSON number
    [InlineData("""{"dynamodb":{"SizeBytes":[{"numeric":["<",-1e300]}]}}""", false)]
    [InlineData("""{"score":[{"numeric":[">=",5,"<=",5]}]}""", true)]
    [InlineData("""{"label":[{"numeric":["=",5]}]}""", false)] // a string outside an N is not a number
    [InlineData("""{"dynamodb":{"NewImage":{"AccountManager":{"S":[{"numeric":[">",0]}]}}}}""", false)]
    public void Numeric_edge_cases(string pattern, bool expected) => Assert.Equal(expected, Matches(pattern));

    [Theory]
    [InlineData("""{"dynamodb":{"NewImage":{"AccountManager":{"S":[{"exists":true}]}}}}""", true)]
    [InlineData("""{"dynamodb":{"NewImage":{"AccountManager":{"S":[{"exists":false}]}}}}""", false)]
    [InlineData("""{"dynamodb":{"NewImage":{"Nobody":{"S":[{"exists":true}]}}}}""", false)]
    [InlineData("""{"dynamodb":{"NewImage":{"Nobody":{"S":[{"exists":false}]}}}}""", true)]
    [InlineData("""{"dynamodb":{"NewImage":{"AccountManager":[{"exists":true}]}}}""", false)] // an attribute is an object, not a leaf
    [InlineData("""{"dynamodb":{"NewImage":{"AccountManager":[{"exists":false}]}}}""", true)] // ... so it "does not exist"
    [InlineData("""{"userIdentity":[{"exists":true}]}""", true)] // null is a leaf
    [InlineData("""{"dynamodb":{"NewImage":{"Nobody":{"S":["x",{"exists":false}]}}}}""", true)] // a value, or absent
    public void Exists(string pattern, bool expected) => Assert.Equal(expected, Matches(pattern));

    [Theory]
    [InlineData("""{"dynamodb":{"NewImage":{"Tags":{"SS":["green"]}}}}""", true)] // any element of an array
    [InlineData("""{"dynamodb":{"NewImage":{"Tags":{"SS":["red"]}}}}""", false)]
    [InlineData("""{"dynamodb":{"NewImage":{"Tags":{"SS":[{"anything-but":"blue"}]}}}}""", true)] // "green" is not "blue"
    [InlineData("""{"dynamodb":{"NewImage":{"Tags":{"SS":[{"prefix":"gr"}]}}}}""", true)]
    [InlineData("""{"dynamodb":{"NewImage":{"Lines":{"L":{"M":{"sku":{"S":["b-2"]}}}}}}}""", true)] // paths continue through arrays of objects
    [InlineData("""{"dynamodb":{"NewImage":{"Lines":{"L":{"M":{"qty":{"N":[{"numeric":[">",4]}]}}}}}}}""", true)]
    [InlineData("""{"dynamodb":{"NewImage":{"Lines":{"L":{"M":{"qty":{"N":[{"numeric":[">",5]}]}}}}}}}""", false)]
    [InlineData("""{"dynamodb":{"NewImage":{"Address":{"M":{"Zip":{"S":["98101"]}}}}}}""", true)] // nested maps
    public void Arrays_and_nested_fields(string pattern, bool expected) => Assert.Equal(expected, Matches(pattern));

    [Theory]
    [InlineData("""[{"eventName":["INSERT"]},{"eventName":["MODIFY"]}]""", true)] // an array of patterns is an OR
    [InlineData("""[{"eventName":["INSERT"]},{"eventName":["REMOVE"]}]""", false)]
    [InlineData("""{"$or":[{"eventName":["INSERT"]},{"dynamodb":{"NewImage":{"Quantity":{"N":["30"]}}}}]}""", true)]
    [InlineData("""{"$or":[{"eventName":["INSERT"]},{"dynamodb":{"NewImage":{"Quantity":{"N":["31"]}}}}]}""", false)]
    [InlineData("""{"eventName":["MODIFY"],"$or":[{"awsRegion":["eu-west-1"]},{"eventSource":["aws:dynamodb"]}]}""", true)]
    [InlineData("""{"dynamodb":{"$or":[{"SizeBytes":[1]},{"NewImage":{"Empty":{"S":[""]}}}]}}""", true)] // $or below the root
    public void Or_over_patterns(string pattern, bool expected) => Assert.Equal(expected, Matches(pattern));

    [Fact]
    public void A_pasted_FilterCriteria_is_accepted_as_Lambda_holds_it()
    {
        const string criteria = """
            {"Filters":[{"Pattern":"{ \"dynamodb\" : { \"Keys\" : { \"CustomerName\" : { \"S\" : [ \"Nobody Inc\" ] } } } }"},
                        {"Pattern":"{ \"eventName\" : [ \"MODIFY\" ] }"}]}
            """;
        Assert.True(Matches(criteria));
        Assert.False(Matches(criteria.Replace("MODIFY", "REMOVE", StringComparison.Ordinal)));
    }

    [Fact]
    public void Only_named_fields_are_read_so_a_pattern_on_a_field_past_a_large_image_still_matches()
    {
        string image = string.Concat(Enumerable.Range(0, 2000).Select(i => $"\"a{i}\":{{\"S\":\"{new string('x', 50)}\"}},"));
        string record = Record.Replace("\"NewImage\":{", "\"NewImage\":{" + image, StringComparison.Ordinal);
        Assert.True(Matches("""{"dynamodb":{"NewImage":{"PaymentTerms":{"S":["60 days"]}}},"eventName":["MODIFY"]}""", record));
    }

    [Fact]
    public void Reading_stops_once_the_last_named_field_is_read_but_not_before()
    {
        // The decoder has checked every byte already; what follows the last named field is never looked at.
        Assert.True(Matches("""{"eventID":["1"]}""", """{"eventID":"1","dynamodb":{"NewImage":[[[ not read"""));
        Assert.True(Matches("""{"dynamodb":{"Keys":{"CustomerName":{"S":["AnyCompany Industries"]}}}}""", Record.Replace("\"NewImage\":{", "\"NewImage\":{{{", StringComparison.Ordinal)));

        // A field named later in the record is still read, whether it is there or not.
        Assert.False(Matches("""{"eventID":["1"],"score":[{"exists":false}]}"""));
        Assert.True(Matches("""{"eventID":["1"],"absent":[{"exists":false}]}"""));
        Assert.False(Matches("""{"dynamodb":{"Keys":{"CustomerName":{"S":["AnyCompany Industries"]}},"StreamViewType":["KEYS_ONLY"]}}"""));
    }

    [Theory]
    [InlineData("not json", "it is not JSON")]
    [InlineData("\"eventName\"", "a pattern is a JSON object")]
    [InlineData("[]", "the array of patterns is empty")]
    [InlineData("""{"eventName":"INSERT"}""", "'eventName' must be an array of values or an object, not the string \"INSERT\"")]
    [InlineData("""{"eventName":[["INSERT"]]}""", "'eventName' lists an array")]
    [InlineData("""{"eventName":[{"wildcard":"IN*"}]}""", "'eventName' uses the unknown operator 'wildcard'")]
    [InlineData("""{"eventName":[{"prefix":"I","suffix":"T"}]}""", "an operator object has exactly one key")]
    [InlineData("""{"eventName":[{"prefix":1}]}""", "'eventName': prefix takes a string, not 1")]
    [InlineData("""{"eventName":[{"exists":"yes"}]}""", "exists takes true or false")]
    [InlineData("""{"a":[{"numeric":[">"]}]}""", "'a': numeric takes")]
    [InlineData("""{"a":[{"numeric":["<",1,">",0]}]}""", "'a': numeric takes")]
    [InlineData("""{"a":[{"numeric":[">",5,"<",1]}]}""", "the range is empty")]
    [InlineData("""{"a":[{"numeric":["~",1]}]}""", "'a': numeric takes")]
    [InlineData("""{"a":[{"anything-but":[]}]}""", "'a': anything-but takes")]
    [InlineData("""{"a":[{"anything-but":{"wildcard":"x*"}}]}""", "not 'wildcard'")]
    [InlineData("""{"$or":[{"a":["x"]}]}""", "'$or' must be an array of at least two pattern objects")]
    [InlineData("""{"Filters":[{"Pattern":"{ bad"}]}""", "a FilterCriteria Pattern is not JSON")]
    [InlineData("""{"Filters":[]}""", "FilterCriteria.Filters must be a non-empty array")]
    public void A_bad_pattern_is_refused_saying_where_and_why(string pattern, string expected)
    {
        var error = Assert.Throws<FormatException>(() => EventPatternCompiler.Compile(pattern));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Or_expansion_is_bounded()
    {
        string or = """{"$or":[{"a":["1"]},{"a":["2"]},{"a":["3"]},{"a":["4"]}]}""";
        string pattern = "{" + string.Join(",", Enumerable.Range(0, 6).Select(i => $"\"f{i}\":{or}")) + "}"; // 4^6 alternatives
        var error = Assert.Throws<FormatException>(() => EventPatternCompiler.Compile(pattern));
        Assert.Contains("more than 1024 alternatives", error.Message, StringComparison.Ordinal);
    }
}
