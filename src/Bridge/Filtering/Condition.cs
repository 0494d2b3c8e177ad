namespace Bridge.Filtering;

/// <summary>One field of a pattern: the record's leaves at <see cref="Path"/> must match one of <see cref="Matchers"/>
/// (or, when <see cref="AbsentMatches"/>, there may be no leaf there at all: <c>{"exists": false}</c>).</summary>
internal sealed record Condition(string[] Path, ValueMatcher[] Matchers, bool AbsentMatches);
