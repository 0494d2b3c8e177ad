using Bridge.Aws.Protocol;

namespace Bridge.Aws.Tests;

/// <summary>Where each client is sent: configuration, then the standard environment variables, then the public endpoint.</summary>
public sealed class EndpointResolutionTests
{
    [Fact]
    public void Without_overrides_each_service_goes_to_its_public_regional_endpoint()
    {
        var env = Environment(("AWS_REGION", "eu-west-1"));
        var options = new AwsClientOptions();

        Assert.Equal("https://streams.dynamodb.eu-west-1.amazonaws.com/", Resolve(options, AwsService.DynamoDbStreams, env).Url.ToString());
        Assert.Equal("https://kinesis.eu-west-1.amazonaws.com/", Resolve(options, AwsService.Kinesis, env).Url.ToString());
        Assert.Equal("https://monitoring.eu-west-1.amazonaws.com/", Resolve(options, AwsService.CloudWatch, env).Url.ToString());
        Assert.Equal("https://kinesis.cn-north-1.amazonaws.com.cn/", Resolve(new AwsClientOptions { Region = "cn-north-1" }, AwsService.Kinesis, env).Url.ToString());
    }

    [Fact]
    public void Region_comes_from_options_then_AWS_REGION_then_AWS_DEFAULT_REGION()
    {
        Assert.Equal("ap-south-1", Resolve(new() { Region = "ap-south-1" }, AwsService.Kinesis, Environment(("AWS_REGION", "eu-west-1"))).Region);
        Assert.Equal("eu-west-1", Resolve(new(), AwsService.Kinesis, Environment(("AWS_REGION", "eu-west-1"), ("AWS_DEFAULT_REGION", "us-west-2"))).Region);
        Assert.Equal("us-west-2", Resolve(new(), AwsService.Kinesis, Environment(("AWS_DEFAULT_REGION", "us-west-2"))).Region);
    }

    [Fact]
    public void A_per_service_variable_beats_AWS_ENDPOINT_URL()
    {
        var env = Environment(
            ("AWS_REGION", "us-east-1"),
            ("AWS_ENDPOINT_URL", "http://everything:1"),
            ("AWS_ENDPOINT_URL_KINESIS", "http://kinesis:2"),
            ("AWS_ENDPOINT_URL_CLOUDWATCH", "http://cloudwatch:3"),
            ("AWS_ENDPOINT_URL_DYNAMODB_STREAMS", "http://streams:4"));

        Assert.Equal("http://kinesis:2/", Resolve(new(), AwsService.Kinesis, env).Url.ToString());
        Assert.Equal("http://cloudwatch:3/", Resolve(new(), AwsService.CloudWatch, env).Url.ToString());
        Assert.Equal("http://streams:4/", Resolve(new(), AwsService.DynamoDbStreams, env).Url.ToString());
        Assert.Equal("http://everything:1/", Resolve(new(), AwsService.DynamoDb, env).Url.ToString());
    }

    [Fact]
    public void Streams_follow_the_DynamoDB_endpoint_when_they_have_none_of_their_own()
    {
        var env = Environment(("AWS_REGION", "us-east-1"), ("AWS_ENDPOINT_URL", "http://everything:1"), ("AWS_ENDPOINT_URL_DYNAMODB", "http://ddb-local:8000"));

        Assert.Equal("http://ddb-local:8000/", Resolve(new(), AwsService.DynamoDbStreams, env).Url.ToString());
        var configured = new AwsClientOptions { ServiceUrls = { ["dynamodb"] = new Uri("http://configured:8000") } };
        Assert.Equal("http://configured:8000/", Resolve(configured, AwsService.DynamoDbStreams, env).Url.ToString());
    }

    [Fact]
    public void Configuration_beats_the_environment()
    {
        var env = Environment(("AWS_REGION", "us-east-1"), ("AWS_ENDPOINT_URL_KINESIS", "http://kinesis:2"));
        var options = new AwsClientOptions { ServiceUrl = new Uri("http://all:9"), ServiceUrls = { ["KINESIS"] = new Uri("http://mine:5") } };

        Assert.Equal("http://mine:5/", Resolve(options, AwsService.Kinesis, env).Url.ToString());
        Assert.Equal("http://all:9/", Resolve(options, AwsService.CloudWatch, env).Url.ToString());
    }

    private static AwsEndpoint Resolve(AwsClientOptions options, AwsService service, Func<string, string?> env) =>
        AwsEndpoint.Resolve(options, service, env);

    private static Func<string, string?> Environment(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;
}
