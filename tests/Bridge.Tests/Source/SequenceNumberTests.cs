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
}
