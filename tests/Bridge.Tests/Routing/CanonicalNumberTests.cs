using System.Globalization;
using System.Text;
using Bridge.Routing;
using CsCheck;

namespace Bridge.Tests.Routing;

public class CanonicalNumberTests
{
    [Theory]
    [InlineData("0", "0")]
    [InlineData("-0", "0")]
    [InlineData("+0", "0")]
    [InlineData("0.000", "0")]
    [InlineData("-0.0E-5", "0")]
    [InlineData("0E10", "0")]
    [InlineData("007", "7")]
    [InlineData("+5", "5")]
    [InlineData("-5", "-5")]
    [InlineData("100", "100")]
    [InlineData("100.0", "100")]
    [InlineData("1.50", "1.5")]
    [InlineData("1.", "1")]
    [InlineData(".5", "0.5")]
    [InlineData("-.5", "-0.5")]
    [InlineData("000.000100", "0.0001")]
    [InlineData("123.456", "123.456")]
    [InlineData("-123.4560", "-123.456")]
    [InlineData("1E3", "1000")]
    [InlineData("1e3", "1000")]
    [InlineData("1E+3", "1000")]
    [InlineData("1E+03", "1000")]
    [InlineData("1.5E3", "1500")]
    [InlineData("12.5E-1", "1.25")]
    [InlineData("0.1E1", "1")]
    [InlineData("10E-1", "1")]
    [InlineData("1E-3", "0.001")]
    [InlineData("1.7E9", "1700000000")]
    [InlineData("99999999999999999999999999999999999999", "99999999999999999999999999999999999999")]
    [InlineData("1E40", "10000000000000000000000000000000000000000")]
    [InlineData("1E-40", "0.0000000000000000000000000000000000000001")]
    [InlineData("1E41", "1E41")]
    [InlineData("10E40", "1E41")]
    [InlineData("1E-41", "1E-41")]
    [InlineData("15E-42", "1.5E-41")]
    [InlineData("-1.50E+125", "-1.5E125")]
    [InlineData("1E-130", "1E-130")]
    [InlineData("9.9999999999999999999999999999999999999E+125", "9.9999999999999999999999999999999999999E125")]
    public void Spellings_become_the_canonical_form(string text, string expected)
    {
        Assert.Equal(expected, Canonical(text));
    }

    [Theory]
    [InlineData("")]
    [InlineData("+")]
    [InlineData("-")]
    [InlineData(".")]
    [InlineData("--1")]
    [InlineData("1..2")]
    [InlineData("1.2.3")]
    [InlineData("1E")]
    [InlineData("1E+")]
    [InlineData("E5")]
    [InlineData("1e5.5")]
    [InlineData(" 1")]
    [InlineData("1 ")]
    [InlineData("1,5")]
    [InlineData("0x10")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("1E1234567890")]
    public void Non_numbers_are_rejected(string text)
    {
        Assert.Null(Canonical(text));
    }

    [Fact]
    public void Spellings_of_one_decimal_value_give_one_key()
    {
        Gen.Decimal.Sample(value =>
        {
            string canonical = Canonical(value.ToString(CultureInfo.InvariantCulture))!;
            foreach (string spelling in Spellings(value))
            {
                Assert.Equal(canonical, Canonical(spelling));
            }

            // The canonical form is the same number, not just a stable string.
            Assert.Equal(value, decimal.Parse(canonical, NumberStyles.Float, CultureInfo.InvariantCulture));
        });
    }

    [Fact]
    public void Keys_are_equal_exactly_when_the_values_are()
    {
        // Small integers over small powers of ten: equal values (10/10 and 1/1) come up often.
        Gen<decimal> small = Gen.Select(Gen.Int[-300, 300], Gen.Int[0, 3], (m, s) => m / (decimal)Math.Pow(10, s));
        Gen.Select(small, small, (a, b) => (a, b)).Sample((a, b) =>
        {
            string? ka = Canonical(a.ToString(CultureInfo.InvariantCulture));
            string? kb = Canonical(b.ToString(CultureInfo.InvariantCulture));
            Assert.Equal(a == b, ka == kb);
        });
    }

    [Fact]
    public void Shifting_the_point_into_the_exponent_keeps_the_key_beyond_the_plain_range()
    {
        // Past what decimal holds: DynamoDB's exponents run from -130 to 125.
        Gen.Select(Gen.Long[1, long.MaxValue], Gen.Int[-130, 100], Gen.Int[0, 20], (m, e, k) => (m, e, k)).Sample((m, e, k) =>
        {
            string plain = Canonical($"{m}E{e}")!;
            Assert.Equal(plain, Canonical($"{m}{new string('0', k)}E{e - k}"));
            Assert.Equal("-" + plain, Canonical($"-{m}E{e}"));
        });
    }

    private static IEnumerable<string> Spellings(decimal value)
    {
        string text = value.ToString(CultureInfo.InvariantCulture);
        string sign = value < 0 ? "-" : "+";
        string magnitude = text.TrimStart('-');
        string digits = magnitude.Replace(".", "", StringComparison.Ordinal);
        yield return sign + magnitude;
        yield return sign + "000" + magnitude;
        yield return text + (text.Contains('.', StringComparison.Ordinal) ? "000" : ".000");
        yield return $"{sign}{digits}E-{value.Scale}";
        yield return $"{sign}{digits}000e-{value.Scale + 3}";
        yield return $"{sign}0.{digits}E+{magnitude.Split('.')[0].Length}";
    }

    private static string? Canonical(string text)
    {
        byte[] input = Encoding.ASCII.GetBytes(text);
        var output = new byte[CanonicalNumber.MaxOutputLength(input.Length)];
        return CanonicalNumber.TryWrite(input, output, out int written) ? Encoding.ASCII.GetString(output, 0, written) : null;
    }
}
