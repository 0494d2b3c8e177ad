using Bridge.Aws.DynamoDbStreams;
using Bridge.Source;
using CsCheck;

namespace Bridge.Tests.Source;

public class SequenceNumberTests
{
    [Theory]
    [InlineData("9", "10")]
    [InlineData("000000000000000000099", "100")]
    [InlineData("49999999999999999999999999999999999999999", "50000000000000000000000000000000000000000")]
    public void Compares_numerically_not_as_text(string smaller, string larger)
    {
        Assert.True(SequenceNumber.Parse(smaller) < SequenceNumber.Parse(larger));
        Assert.True(SequenceNumber.Parse(larger) > SequenceNumber.Parse(smaller));
    }

    [Fact]
    public void Leading_zeros_do_not_change_the_value_but_are_kept_for_the_api()
    {
        var padded = SequenceNumber.Parse("000000000000000000042");
        Assert.Equal(SequenceNumber.Parse("42"), padded);
        Assert.Equal(SequenceNumber.Parse("42").GetHashCode(), padded.GetHashCode());
        Assert.Equal("000000000000000000042", padded.Value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("12a")]
    [InlineData("-1")]
    [InlineData(" 1")]
    public void Rejects_anything_but_digits(string text) => Assert.False(SequenceNumber.TryParse(text, out _));

    [Fact]
    public void Order_agrees_with_UInt128_order() =>
        Gen.Select(Gen.ULong, Gen.ULong, Gen.Int[0, 5], Gen.Int[0, 5]).Sample((a, b, padA, padB) =>
        {
            var x = SequenceNumber.Parse(new string('0', padA) + a);
            var y = SequenceNumber.Parse(new string('0', padB) + b);
            Assert.Equal(a.CompareTo(b), Math.Sign(x.CompareTo(y)));
        });

    [Theory]
    [InlineData("000000000000000000001")]
    [InlineData("4959033827149025660855969253836157109592")]
    [InlineData("1000000000000000000000000000000000000000")]
    [InlineData("12345678901234567890123456789012345678901234567")]
    [InlineData("0")]
    public void Text_round_trips_with_its_leading_zeros(string digits)
    {
        Assert.Equal(digits, SequenceNumber.Parse(digits).Value);
        Assert.True(SequenceNumber.TryParse(System.Text.Encoding.ASCII.GetBytes(digits), out var fromUtf8));
        Assert.Equal(digits, fromUtf8.Value);
    }

    [Fact]
    public void More_digits_than_it_holds_are_refused_not_truncated()
    {
        Assert.False(SequenceNumber.TryParse(new string('9', SequenceNumber.MaxDigits + 1), out _));
        Assert.True(SequenceNumber.TryParse(new string('9', SequenceNumber.MaxDigits), out _));
    }

    [Fact]
    public void Order_of_40_digit_numbers_agrees_with_BigInteger_order() =>
        Gen.Select(Gen.String[Gen.Char['0', '9'], 21, 40], Gen.String[Gen.Char['0', '9'], 21, 40]).Sample((a, b) =>
        {
            var expected = System.Numerics.BigInteger.Parse(a, System.Globalization.CultureInfo.InvariantCulture)
                .CompareTo(System.Numerics.BigInteger.Parse(b, System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(expected, Math.Sign(SequenceNumber.Parse(a).CompareTo(SequenceNumber.Parse(b))));
            if (expected == 0)
            {
                Assert.Equal(SequenceNumber.Parse(a).GetHashCode(), SequenceNumber.Parse(b).GetHashCode());
            }
        });
}
