using System.Net;

namespace Bridge.Host;

/// <summary>Starts a listener on a port that another worker on the same machine may already hold.</summary>
/// <remarks>
/// Several workers started with one configuration on one machine all ask for the same health and Prometheus ports, and
/// only one gets each. That is expected, so it is one warning, and the worker forwards without the listener; it tries
/// again every <see cref="RetryInterval"/>, so when the holder stops (or is killed) another worker takes the port over.
/// Any other reason a listener cannot start (an address the machine does not have, a port it may not bind) is a
/// mistake in the configuration: the start delegate throws, the service faults and the process exits with code 1.
/// </remarks>
internal static class SharedPort
{
    public static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(5);

    /// <summary>The started listener, or null once <paramref name="stoppingToken"/> is cancelled before the port was free.</summary>
    /// <param name="start">Starts the listener; disposes what it made before it throws.</param>
    /// <param name="warnInUse">Called once, the first time the port is in use.</param>
    public static async Task<T?> ClaimAsync<T>(Func<T> start, Action warnInUse, TimeProvider time, CancellationToken stoppingToken)
        where T : class
    {
        var warned = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                return start();
            }
            catch (Exception ex) when (IsInUse(ex))
            {
                if (!warned)
                {
                    warnInUse();
                    warned = true;
                }
            }

            try
            {
                await Task.Delay(RetryInterval, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return null;
            }
        }

        return null;
    }

    /// <summary>EADDRINUSE as HttpListener reports it (also wrapped, as the Prometheus exporter does): the socket's errno on Linux (98) and macOS (48).</summary>
    public static bool IsInUse(Exception? ex) => ex switch
    {
        HttpListenerException listener => listener.ErrorCode == (OperatingSystem.IsMacOS() ? 48 : 98),
        null => false,
        _ => IsInUse(ex.InnerException),
    };
}
