using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Bridge.Aws.DynamoDbStreams;
using Bridge.Aws.Kinesis;
using Bridge.Ordering;
using Bridge.Routing;
using Bridge.Source;

namespace Bridge.Forwarding;

/// <summary>Start-up checks of what the configuration names: each source table has an enabled stream, each target stream exists.</summary>
/// <remarks>Every problem becomes one line of a <see cref="BridgeConfigurationException"/>, so an operator fixes them all in one go.</remarks>
internal sealed class SourceResolver(IAmazonDynamoDB dynamoDb, IDynamoDbStreamsClient streams, IKinesisClient kinesis)
{
    public async Task<IReadOnlyList<ResolvedSource>> ResolveAsync(BridgeOptions options, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        var resolved = new List<ResolvedSource>();
        for (var i = 0; i < options.Sources.Count; i++)
        {
            var source = options.Sources[i];
            try
            {
                resolved.Add(await ResolveAsync(source, cancellationToken).ConfigureAwait(false));
            }
            catch (SourceProblem problem)
            {
                problems.Add($"Bridge:Sources:{i}: {problem.Message}");
            }
        }

        await CheckStreamAsync("Bridge:Target:StreamName", options.Target.StreamName, problems, cancellationToken).ConfigureAwait(false);
        if (options.UsesDeadLetter)
        {
            await CheckStreamAsync("Bridge:DeadLetter:StreamName", options.DeadLetter.StreamName!, problems, cancellationToken).ConfigureAwait(false);
        }

        return problems.Count > 0 ? throw new BridgeConfigurationException(problems) : resolved;
    }

    private async Task<ResolvedSource> ResolveAsync(SourceOptions source, CancellationToken cancellationToken)
    {
        var selector = new PartitionKeySelector(source.PartitionKey);
        string streamArn;
        string tableName;
        if (source.StreamArn is { Length: > 0 } arn)
        {
            streamArn = arn;
            tableName = DynamoDbStreamArn.TryGetTableName(arn, out var name) ? name
                : throw new SourceProblem($"'{arn}' is not a DynamoDB stream ARN (arn:aws:dynamodb:REGION:ACCOUNT:table/NAME/stream/LABEL).");
        }
        else
        {
            tableName = source.TableName!;
            TableDescription table;
            try
            {
                table = (await dynamoDb.DescribeTableAsync(tableName, cancellationToken).ConfigureAwait(false)).Table;
            }
            catch (ResourceNotFoundException)
            {
                throw new SourceProblem($"table '{tableName}' does not exist.");
            }

            if (table.StreamSpecification?.StreamEnabled != true || string.IsNullOrEmpty(table.LatestStreamArn))
            {
                throw new SourceProblem($"table '{tableName}' has no stream enabled (enable DynamoDB Streams, view type NEW_AND_OLD_IMAGES recommended).");
            }

            streamArn = table.LatestStreamArn;
        }

        StreamDescription description;
        try
        {
            description = await streams.DescribeStreamAsync(new DescribeStreamRequest(streamArn, Limit: 1), cancellationToken).ConfigureAwait(false);
        }
        catch (Aws.Protocol.ResourceNotFoundException)
        {
            throw new SourceProblem($"stream '{streamArn}' does not exist.");
        }

        if (description.StreamStatus is "DISABLED" or "DISABLING")
        {
            throw new SourceProblem($"stream '{streamArn}' of table '{tableName}' is {description.StreamStatus}.");
        }

        if (!string.IsNullOrWhiteSpace(source.OrderBy) && description.StreamViewType == "KEYS_ONLY")
        {
            throw new SourceProblem($"stream '{streamArn}' of table '{tableName}' is KEYS_ONLY, so its records carry no '{source.OrderBy}' to order by (OrderBy needs NEW_IMAGE, OLD_IMAGE or NEW_AND_OLD_IMAGES).");
        }

        return new ResolvedSource(description.TableName ?? tableName, streamArn, selector, OrderValueSelector.For(source.OrderBy));
    }

    private async Task CheckStreamAsync(string key, string stream, List<string> problems, CancellationToken cancellationToken)
    {
        try
        {
            await kinesis.DescribeStreamSummaryAsync(KinesisStreamRef.Parse(stream), cancellationToken).ConfigureAwait(false);
        }
        catch (Aws.Protocol.ResourceNotFoundException)
        {
            problems.Add($"{key}: Kinesis stream '{stream}' does not exist.");
        }
    }

    private sealed class SourceProblem(string message) : Exception(message);
}

/// <summary>The configuration names things that do not exist or cannot be used; one line per problem.</summary>
public sealed class BridgeConfigurationException(IReadOnlyList<string> problems)
    : Exception("The bridge configuration has problems:" + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => "  - " + p)))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
