namespace Bridge.Aws.DynamoDbStreams;

/// <summary>The type tag of a DynamoDB attribute value (<c>{"S":"r1"}</c> has type <see cref="S"/>).</summary>
public enum AttributeType : byte
{
    S,
    N,
    B,
    Bool,
    Null,
    M,
    L,
    SS,
    NS,
    BS,
}

/// <summary>The wire codes of <see cref="AttributeType"/>, as DynamoDB JSON spells them.</summary>
public static class AttributeTypeCodes
{
    /// <summary>The code as it appears on the wire: <c>"S"</c>, <c>"BOOL"</c>, <c>"NULL"</c>…</summary>
    /// <remarks>Returns constants, so naming a type in a result or message costs no allocation.</remarks>
    public static string Code(AttributeType type) => type switch
    {
        AttributeType.S => "S",
        AttributeType.N => "N",
        AttributeType.B => "B",
        AttributeType.Bool => "BOOL",
        AttributeType.Null => "NULL",
        AttributeType.M => "M",
        AttributeType.L => "L",
        AttributeType.SS => "SS",
        AttributeType.NS => "NS",
        AttributeType.BS => "BS",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not an attribute type"),
    };
}
