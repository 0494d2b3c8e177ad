namespace Bridge.Routing;

/// <summary>
/// One spelling per numeric value for DynamoDB numbers (<c>N</c>), so that equal numbers give equal
/// partition keys however the writer spelled them.
/// </summary>
/// <remarks>
/// <para>Input: an optional sign, digits with at most one '.', at least one digit, then an optional
/// exponent (<c>e</c> or <c>E</c>, optional sign, 1 to 9 digits). Nothing else, not even spaces.</para>
/// <para>Output: the value as <c>sig × 10^e</c>, with <c>sig</c> stripped of leading and trailing zeros:</para>
/// <list type="bullet">
/// <item>zero, whatever its sign or spelling, is <c>0</c>;</item>
/// <item>a minus sign only for negative values, never a plus sign;</item>
/// <item>when the scientific exponent <c>x</c> (the value is <c>d.ddd × 10^x</c>) has |x| ≤ 40, plain
/// decimal: <c>1E3</c> → <c>1000</c>, <c>1.50</c> → <c>1.5</c>, <c>.5</c> → <c>0.5</c>, <c>007</c> → <c>7</c>;</item>
/// <item>otherwise scientific, one digit before the point, no trailing zeros, <c>E</c>, the exponent
/// without '+' or leading zeros: <c>1.5E-41</c>, <c>1E125</c>.</item>
/// </list>
/// <para>Why 40: it covers DynamoDB's 38 digits of precision with room to spare, so ordinary numbers
/// read as people write them, while the widest plain output stays under 90 characters.</para>
/// </remarks>
internal static class CanonicalNumber
{
    /// <summary>The largest |x| written as plain decimal; see the remarks on the type.</summary>
    public const int MaxPlainExponent = 40;

    private const int MaxExponentDigits = 9;

    /// <summary>Bytes <see cref="TryWrite"/> may need for an input of <paramref name="textLength"/> bytes.</summary>
    public static int MaxOutputLength(int textLength) => textLength + MaxPlainExponent + 8;

    /// <summary>Writes the canonical form of the number spelled by <paramref name="text"/> (ASCII).</summary>
    /// <param name="destination">At least <see cref="MaxOutputLength"/> bytes.</param>
    /// <returns>False when <paramref name="text"/> is not a number.</returns>
    public static bool TryWrite(ReadOnlySpan<byte> text, Span<byte> destination, out int written)
    {
        written = 0;
        int i = 0;
        bool negative = false;
        if (i < text.Length && (text[i] == '+' || text[i] == '-'))
        {
            negative = text[i] == '-';
            i++;
        }

        // The mantissa's digits without the point go to the end of destination, out of the way of the
        // output, which is written from the start and never overtakes them (see MaxOutputLength).
        Span<byte> digits = destination[^text.Length..];
        int digitCount = 0;
        int fractionDigits = 0;
        bool seenPoint = false;
        for (; i < text.Length && text[i] != 'e' && text[i] != 'E'; i++)
        {
            byte c = text[i];
            if (c == '.' && !seenPoint)
            {
                seenPoint = true;
            }
            else if (char.IsAsciiDigit((char)c))
            {
                digits[digitCount++] = c;
                fractionDigits += seenPoint ? 1 : 0;
            }
            else
            {
                return false;
            }
        }

        if (digitCount == 0 || !TryReadExponent(text[i..], out long exponent))
        {
            return false;
        }

        ReadOnlySpan<byte> significand = digits[..digitCount].TrimStart((byte)'0');
        int trailingZeros = significand.Length - significand.TrimEnd((byte)'0').Length;
        significand = significand[..^trailingZeros];
        if (significand.IsEmpty)
        {
            destination[0] = (byte)'0';
            written = 1;
            return true;
        }

        // value = significand × 10^scale = d.ddd × 10^scientific
        long scale = exponent - fractionDigits + trailingZeros;
        long scientific = significand.Length + scale - 1;
        var output = new Output(destination);
        if (negative)
        {
            output.Append((byte)'-');
        }

        if (Math.Abs(scientific) > MaxPlainExponent)
        {
            output.Append(significand[..1]);
            if (significand.Length > 1)
            {
                output.Append((byte)'.');
                output.Append(significand[1..]);
            }

            output.Append((byte)'E');
            output.AppendInteger(scientific);
        }
        else if (scale >= 0)
        {
            output.Append(significand);
            output.AppendZeros((int)scale);
        }
        else
        {
            int integerDigits = (int)(significand.Length + scale);
            if (integerDigits > 0)
            {
                output.Append(significand[..integerDigits]);
                output.Append((byte)'.');
                output.Append(significand[integerDigits..]);
            }
            else
            {
                output.Append("0."u8);
                output.AppendZeros(-integerDigits);
                output.Append(significand);
            }
        }

        written = output.Length;
        return true;
    }

    private static bool TryReadExponent(ReadOnlySpan<byte> text, out long exponent)
    {
        exponent = 0;
        if (text.IsEmpty)
        {
            return true;
        }

        // text[0] is 'e' or 'E'.
        int i = 1;
        bool negative = false;
        if (i < text.Length && (text[i] == '+' || text[i] == '-'))
        {
            negative = text[i] == '-';
            i++;
        }

        ReadOnlySpan<byte> digits = text[i..];
        if (digits.IsEmpty || digits.Length > MaxExponentDigits)
        {
            return false;
        }

        foreach (byte c in digits)
        {
            if (!char.IsAsciiDigit((char)c))
            {
                return false;
            }

            exponent = (exponent * 10) + (c - '0');
        }

        exponent = negative ? -exponent : exponent;
        return true;
    }

    /// <summary>Appends ASCII to a span; the caller sized it (<see cref="MaxOutputLength"/>).</summary>
    private ref struct Output(Span<byte> destination)
    {
        private readonly Span<byte> _destination = destination;

        public int Length { get; private set; }

        public void Append(byte c) => _destination[Length++] = c;

        public void Append(ReadOnlySpan<byte> text)
        {
            text.CopyTo(_destination[Length..]);
            Length += text.Length;
        }

        public void AppendZeros(int count)
        {
            _destination.Slice(Length, count).Fill((byte)'0');
            Length += count;
        }

        public void AppendInteger(long value)
        {
            value.TryFormat(_destination[Length..], out int written, default, System.Globalization.CultureInfo.InvariantCulture);
            Length += written;
        }
    }
}
