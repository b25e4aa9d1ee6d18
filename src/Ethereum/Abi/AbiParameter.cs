namespace Settlement.Ethereum.Abi;

/// <summary>A named parameter of a function, event, error or tuple.</summary>
/// <param name="Name">The parameter name; empty when unnamed.</param>
/// <param name="Type">The ABI type.</param>
/// <param name="Indexed">For event parameters: whether the value is a topic.</param>
public sealed record AbiParameter(string Name, AbiType Type, bool Indexed = false)
{
    /// <summary>Canonical type plus name, e.g. <c>uint256 amount</c>.</summary>
    public override string ToString() =>
        Type.CanonicalName + (Indexed ? " indexed" : string.Empty) + (Name.Length > 0 ? " " + Name : string.Empty);
}
