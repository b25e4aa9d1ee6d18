namespace Settlement.Ethereum.Abi;

/// <summary>
/// Why a decoder refused an event log (the logs are untrusted input: a node, a reorg or another contract can hand
/// over anything). <see cref="None"/> when the log was decoded.
/// </summary>
public enum LogDecodeRefusal
{
    /// <summary>Decoded.</summary>
    None = 0,

    /// <summary>The log has no topic, so no event signature (an anonymous event or an empty log).</summary>
    NoTopic = 1,

    /// <summary>Topic 0 is not the signature hash of an event this decoder reads.</summary>
    UnknownEvent = 2,

    /// <summary>The log has more or fewer topics than the event has indexed fields plus its signature.</summary>
    TopicCount = 3,

    /// <summary>A topic is not 32 bytes.</summary>
    TopicLength = 4,

    /// <summary>The data is not the length the event's non-indexed fields take.</summary>
    DataLength = 5,

    /// <summary>
    /// A topic or data word is not the strict encoding of its field: an address or unsigned integer with high bytes set
    /// (a value too large for the field), a bool other than 0 or 1.
    /// </summary>
    FieldOutOfRange = 6,

    /// <summary>The packed <c>bytes</c> of the event are malformed (offset, length, item size or padding).</summary>
    MalformedPackedData = 7,

    /// <summary>The log carries several events, where the caller asked for exactly one.</summary>
    SeveralEvents = 8,
}
