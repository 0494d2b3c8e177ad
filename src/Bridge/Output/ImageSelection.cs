namespace Bridge.Output;

/// <summary>Which item images a forwarded record carries (<c>Bridge:Sources:N:Images</c>); <c>Keys</c> is always kept.</summary>
public enum ImageSelection
{
    /// <summary>NewImage and OldImage, as the stream has them (the default).</summary>
    Both,

    /// <summary>NewImage only.</summary>
    New,

    /// <summary>OldImage only.</summary>
    Old,

    /// <summary>Neither image: Keys only.</summary>
    KeysOnly,
}
