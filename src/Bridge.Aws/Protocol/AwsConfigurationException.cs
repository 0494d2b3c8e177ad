namespace Bridge.Aws.Protocol;

/// <summary>The AWS settings cannot work (no region, an invalid <see cref="AwsClientOptions"/> value): a configuration
/// error, found when the first client is built, that no retry or restart mends.</summary>
public sealed class AwsConfigurationException(string message) : Exception(message);
