using Amazon.DynamoDBv2;
using Bridge.Testing;

namespace Bridge.Aws.Tests;

/// <summary>One emulator per test class that uses it, started before its first test and killed after its last.</summary>
public abstract class EmulatorFixture(Func<CancellationToken, Task<EmulatorProcess>> start) : IAsyncLifetime
{
    public EmulatorProcess Emulator { get; private set; } = null!;

    public virtual async Task InitializeAsync() => Emulator = await start(CancellationToken.None);

    public virtual async Task DisposeAsync()
    {
        if (Emulator is not null)
        {
            await Emulator.DisposeAsync();
        }
    }
}

/// <summary>DynamoDB Local per class: its stream stays small enough to stay fast.</summary>
public sealed class DynamoDbLocalFixture() : EmulatorFixture(LocalAws.StartDynamoDbLocalAsync)
{
    /// <summary>The SDK's client, used only to create tables and write items.</summary>
    public AmazonDynamoDBClient Tables { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Tables = new AmazonDynamoDBClient(EmulatorProcess.Credentials, new AmazonDynamoDBConfig
        {
            ServiceURL = Emulator.Endpoint.ToString(),
            AuthenticationRegion = EmulatorProcess.Region,
        });
    }

    public override async Task DisposeAsync()
    {
        Tables?.Dispose();
        await base.DisposeAsync();
    }
}

public sealed class KinesaliteFixture() : EmulatorFixture(LocalAws.StartKinesaliteAsync);

public sealed class KinesisMockFixture() : EmulatorFixture(LocalAws.StartKinesisMockAsync);
