using System.Net;
using Amazon.Runtime;
using Bridge.Aws.Protocol;
using Microsoft.Extensions.Options;

namespace Bridge.Host.Operator;

/// <summary>Why an operator command could not answer, as the one line it prints, and its exit code.</summary>
/// <remarks>2: the input names something that does not exist or cannot be used (a table, a stream, an option value,
/// the configuration); 1: AWS refused or could not be reached (credentials, permissions, network).</remarks>
internal sealed class OperatorFailure(string message, int exitCode) : Exception(message)
{
    public const int BadInput = 2;

    public const int Refused = 1;

    public int ExitCode { get; } = exitCode;

    public static OperatorFailure Input(string message) => new(message, BadInput);

    /// <summary>The failure <paramref name="exception"/> stands for, or null when it is none of these (a bug: let it surface).</summary>
    public static OperatorFailure? From(Exception exception) => exception switch
    {
        OperatorFailure failure => failure,
        Amazon.DynamoDBv2.Model.ResourceNotFoundException or Aws.Protocol.ResourceNotFoundException =>
            Input($"not found ({FirstLine(exception.Message)})."),
        AmazonServiceException { StatusCode: HttpStatusCode.BadRequest or HttpStatusCode.Forbidden } e when IsAccess(e.ErrorCode) =>
            new($"access denied ({e.ErrorCode}: {FirstLine(e.Message)}).", Refused),
        AwsServiceException e when IsAccess(e.ErrorCode) =>
            new($"access denied ({e.ErrorCode}: {FirstLine(e.Message)}).", Refused),
        AmazonServiceException e => new($"{e.ErrorCode} {FirstLine(e.Message)}", Refused),
        AwsServiceException e => new($"{e.ErrorCode} {FirstLine(e.Message)}", Refused),
        OptionsValidationException or InvalidOperationException { Source: "Microsoft.Extensions.Configuration.Binder" } =>
            Input($"invalid configuration: {FirstLine(exception.Message)}."),
        AwsConfigurationException e => Input($"invalid configuration: {FirstLine(e.Message)}."),
        AmazonClientException or HttpRequestException => new($"AWS could not be reached or no credentials were found ({FirstLine(exception.Message)}).", Refused),
        _ => null,
    };

    private static bool IsAccess(string? code) =>
        code is "AccessDeniedException" or "AccessDenied" or "UnrecognizedClientException" or "InvalidSignatureException"
            or "ExpiredTokenException" or "MissingAuthenticationTokenException" or "IncompleteSignature";

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim().TrimEnd('.');
}
