using System.Globalization;

namespace Bridge.Aws.DynamoDbStreams;

/// <summary>A stream sequence number: decimal digits, compared as a number, never as a string.</summary>
/// <remarks>
/// A value, not text, so reading a record costs no string: DynamoDB Streams sends 21 to 40 digits, more than
/// <see cref="UInt128"/> holds, so the number is kept in three base-10^19 limbs (up to 47 digits; 24 bytes, which keeps
/// a decoded record small). The digit count is kept too, so the text round-trips to the API with its leading zeros
/// (DynamoDB Local pads its sequence numbers and expects them back as sent).
/// </remarks>
public readonly struct SequenceNumber : IComparable<SequenceNumber>, IEquatable<SequenceNumber>
{
    /// <summary>The most digits a value holds: 19 in each of the two low limbs, 9 in the high one.</summary>
    public const int MaxDigits = (2 * LimbDigits) + 9;

    private const int LimbDigits = 19;

    private readonly ulong _low;
    private readonly ulong _middle;
    private readonly uint _high;

    /// <summary>Digits as sent, leading zeros included; 0 for the empty value.</summary>
    private readonly byte _digits;

    private SequenceNumber(uint high, ulong middle, ulong low, int digits) => (_high, _middle, _low, _digits) = (high, middle, low, (byte)digits);

    /// <summary>The digits as the service sent them (leading zeros kept, so they round-trip to the API).</summary>
    public string Value => IsEmpty ? throw new InvalidOperationException("An empty SequenceNumber has no value.") : Format();

    public bool IsEmpty => _digits == 0;

    public static SequenceNumber Parse(string digits) =>
        TryParse(digits, out var result) ? result : throw new FormatException($"'{digits}' is not a sequence number (1 to {MaxDigits} decimal digits).");

    public static bool TryParse(string? digits, out SequenceNumber result)
    {
        result = default;
        if (string.IsNullOrEmpty(digits) || digits.Length > MaxDigits)
        {
            return false;
        }

        Span<byte> utf8 = stackalloc byte[MaxDigits];
        for (var i = 0; i < digits.Length; i++)
        {
            // A char above 0x7F truncates to some byte, but never to a digit the check below accepts.
            utf8[i] = digits[i] < 0x80 ? (byte)digits[i] : (byte)0;
        }

        return TryParse(utf8[..digits.Length], out result);
    }

    /// <summary>Parses the UTF-8 digits of the wire form without allocating.</summary>
    public static bool TryParse(ReadOnlySpan<byte> digits, out SequenceNumber result)
    {
        result = default;
        if (digits.IsEmpty || digits.Length > MaxDigits)
        {
            return false;
        }

        var lowAt = Math.Max(0, digits.Length - LimbDigits);
        var middleAt = Math.Max(0, lowAt - LimbDigits);
        if (!TryParseLimb(digits[..middleAt], out var high)
            || !TryParseLimb(digits[middleAt..lowAt], out var middle)
            || !TryParseLimb(digits[lowAt..], out var low))
        {
            return false;
        }

        result = new SequenceNumber((uint)high, middle, low, digits.Length);
        return true;
    }

    public int CompareTo(SequenceNumber other)
    {
        if (IsEmpty || other.IsEmpty)
        {
            return (IsEmpty ? 0 : 1) - (other.IsEmpty ? 0 : 1);
        }

        return _high != other._high ? _high.CompareTo(other._high)
            : _middle != other._middle ? _middle.CompareTo(other._middle)
            : _low.CompareTo(other._low);
    }

    public bool Equals(SequenceNumber other) => CompareTo(other) == 0;

    public override bool Equals(object? obj) => obj is SequenceNumber other && Equals(other);

    public override int GetHashCode() => IsEmpty ? 0 : HashCode.Combine(_high, _middle, _low);

    public override string ToString() => IsEmpty ? "(none)" : Format();

    public static bool operator ==(SequenceNumber left, SequenceNumber right) => left.Equals(right);

    public static bool operator !=(SequenceNumber left, SequenceNumber right) => !left.Equals(right);

    public static bool operator <(SequenceNumber left, SequenceNumber right) => left.CompareTo(right) < 0;

    public static bool operator >(SequenceNumber left, SequenceNumber right) => left.CompareTo(right) > 0;

    public static bool operator <=(SequenceNumber left, SequenceNumber right) => left.CompareTo(right) <= 0;

    public static bool operator >=(SequenceNumber left, SequenceNumber right) => left.CompareTo(right) >= 0;

    private string Format()
    {
        var inv = CultureInfo.InvariantCulture;
        var text = _high != 0 ? _high.ToString(inv) + _middle.ToString("D19", inv) + _low.ToString("D19", inv)
            : _middle != 0 ? _middle.ToString(inv) + _low.ToString("D19", inv)
            : _low.ToString(inv);
        return text.PadLeft(_digits, '0');
    }

    /// <summary>At most 19 digits, so no overflow; the empty span is 0.</summary>
    private static bool TryParseLimb(ReadOnlySpan<byte> digits, out ulong value)
    {
        value = 0;
        foreach (var b in digits)
        {
            var digit = (uint)(b - '0');
            if (digit > 9)
            {
                return false;
            }

            value = (value * 10) + digit;
        }

        return true;
    }
}
