using Microsoft.Extensions.Logging;

namespace Bridge.Tests.Fakes;

/// <summary>Appends log lines to the file named by <c>BRIDGE_TEST_LOG</c>, for debugging a failing scenario.</summary>
internal sealed class FileTestLogger : ILoggerProvider, ILogger
{
    public static ILoggerFactory? FactoryFromEnvironment() =>
        Environment.GetEnvironmentVariable("BRIDGE_TEST_LOG") is { Length: > 0 } ? LoggerFactory.Create(b => b.AddProvider(new FileTestLogger()).SetMinimumLevel(LogLevel.Debug)) : null;

    public ILogger CreateLogger(string categoryName) => this;

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    private static readonly Lock Gate = new();

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (Gate)
        {
            File.AppendAllText(Environment.GetEnvironmentVariable("BRIDGE_TEST_LOG")!, $"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {formatter(state, exception)} {exception}{Environment.NewLine}");
        }
    }

    public void Dispose()
    {
    }
}
