using Amazon.DynamoDBv2;
using Bridge.Testing;

namespace Bridge.Aws.Tests;

/// <summary>One DynamoDB Local per test class that uses it; its stream stays small enough to stay fast.</summary>
public sealed class DynamoDbLocalFixture : IAsyncLifetime
{
    public EmulatorProcess Emulator { get; private set; } = null!;

    /// <summary>The SDK's client, used only to create tables and write items.</summary>
    public AmazonDynamoDBClient Tables { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Emulator = await LocalAws.StartDynamoDbLocalAsync();
        Tables = new AmazonDynamoDBClient(EmulatorProcess.Credentials, new AmazonDynamoDBConfig
        {
            ServiceURL = Emulator.Endpoint.ToString(),
            AuthenticationRegion = EmulatorProcess.Region,
        });
    }

    public async Task DisposeAsync()
    {
        Tables?.Dispose();
        if (Emulator is not null)
        {
            await Emulator.DisposeAsync();
        }
    }
}

public sealed class KinesaliteFixture : IAsyncLifetime
{
    public EmulatorProcess Emulator { get; private set; } = null!;

    public async Task InitializeAsync() => Emulator = await LocalAws.StartKinesaliteAsync();

    public async Task DisposeAsync()
    {
        if (Emulator is not null)
        {
            await Emulator.DisposeAsync();
        }
    }
}

public sealed class KinesisMockFixture : IAsyncLifetime
{
    public EmulatorProcess Emulator { get; private set; } = null!;

    public async Task InitializeAsync() => Emulator = await LocalAws.StartKinesisMockAsync();

    public async Task DisposeAsync()
    {
        if (Emulator is not null)
        {
            await Emulator.DisposeAsync();
        }
    }
}
