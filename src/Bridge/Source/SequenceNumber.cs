namespace Bridge.Source;

/// <summary>A stream sequence number: decimal digits, compared as a number, never as a string.</summary>
/// <remarks>
/// DynamoDB Streams sequence numbers are up to 40 digits, more than <see cref="UInt128"/> holds, so the
/// value stays text and compares by significant length first, then ordinally: with no leading zeros, a
/// longer digit string is always the larger number.
/// </remarks>
public readonly struct SequenceNumber : IComparable<SequenceNumber>, IEquatable<SequenceNumber>
{
    private readonly string? _digits;

    private SequenceNumber(string digits) => _digits = digits;

    /// <summary>The digits as the service sent them (leading zeros kept, so they round-trip to the API).</summary>
    public string Value => _digits ?? throw new InvalidOperationException("An empty SequenceNumber has no value.");

    public bool IsEmpty => _digits is null;

    public static SequenceNumber Parse(string digits)
    {
        if (!TryParse(digits, out var result))
        {
            throw new FormatException($"'{digits}' is not a sequence number (decimal digits only).");
        }

        return result;
    }

    public static bool TryParse(string? digits, out SequenceNumber result)
    {
        result = default;
        if (string.IsNullOrEmpty(digits) || digits.Length > 128)
        {
            return false;
        }

        foreach (var c in digits)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        result = new SequenceNumber(digits);
        return true;
    }

    public int CompareTo(SequenceNumber other)
    {
        if (_digits is null || other._digits is null)
        {
            return (_digits is null ? 0 : 1) - (other._digits is null ? 0 : 1);
        }

        var a = Significant(_digits);
        var b = Significant(other._digits);
        return a.Length != b.Length ? a.Length.CompareTo(b.Length) : a.CompareTo(b, StringComparison.Ordinal);
    }

    public bool Equals(SequenceNumber other) => CompareTo(other) == 0;

    public override bool Equals(object? obj) => obj is SequenceNumber other && Equals(other);

    public override int GetHashCode() => _digits is null ? 0 : string.GetHashCode(Significant(_digits), StringComparison.Ordinal);

    public override string ToString() => _digits ?? "(none)";

    public static bool operator ==(SequenceNumber left, SequenceNumber right) => left.Equals(right);

    public static bool operator !=(SequenceNumber left, SequenceNumber right) => !left.Equals(right);

    public static bool operator <(SequenceNumber left, SequenceNumber right) => left.CompareTo(right) < 0;

    public static bool operator >(SequenceNumber left, SequenceNumber right) => left.CompareTo(right) > 0;

    public static bool operator <=(SequenceNumber left, SequenceNumber right) => left.CompareTo(right) <= 0;

    public static bool operator >=(SequenceNumber left, SequenceNumber right) => left.CompareTo(right) >= 0;

    private static ReadOnlySpan<char> Significant(string digits)
    {
        var span = digits.AsSpan().TrimStart('0');
        return span.IsEmpty ? "0" : span;
    }
}
