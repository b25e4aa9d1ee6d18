namespace Settlement.Ethereum.Abi;

/// <summary>What kind of revert data was decoded.</summary>
public enum RevertReasonKind
{
    /// <summary><c>Error(string)</c> from <c>require(cond, "message")</c> or <c>revert("message")</c>.</summary>
    Error,

    /// <summary><c>Panic(uint256)</c> from a failed assert, overflow, division by zero, etc.</summary>
    Panic,

    /// <summary>A custom error declared in the contract's ABI.</summary>
    Custom,
}
