using System.Net;
using Bridge.Aws.Protocol;
using Bridge.Testing;

namespace Bridge.Aws.Tests;

/// <summary>Real clients whose "service" is one canned answer, seen through a <see cref="FaultInjectingHandler"/> that
/// records the requests and plays scripted faults first. For tests that need the wire but no emulator.</summary>
internal sealed class CannedAws : IDisposable
{
    public CannedAws(HttpStatusCode status, string json, Action<AwsClientOptions>? configure = null, TimeProvider? time = null, Func<double>? jitter = null)
    {
        Wire = new FaultInjectingHandler(new CannedResponseHandler(status, json));
        var options = new AwsClientOptions { Region = "us-east-1", ServiceUrl = new Uri("http://127.0.0.1:9/"), BaseDelay = TimeSpan.Zero };
        configure?.Invoke(options);
        Factory = new AwsClientFactory(options, EmulatorProcess.Credentials, Wire, time, jitter: jitter);
    }

    public FaultInjectingHandler Wire { get; }

    public AwsClientFactory Factory { get; }

    public void Dispose()
    {
        Factory.Dispose();
        Wire.Dispose();
    }
}
