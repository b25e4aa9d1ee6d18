using Settlement.Service.Indexer.Storage;

namespace Settlement.Service.Tests.Indexer;

/// <summary>
/// <see cref="BookedEvent"/>'s value equality: a retried batch is told <c>Exists</c> only when the stored event is the
/// same in every field (the transfer ids element by element), so each field must count.
/// </summary>
public sealed class BookedEventEqualityTests
{
    private static readonly ChainEventKey Key = new(1, "0xc0", "0x" + new string('7', 64), 3);

    private static BookedEvent Event() =>
        new(Key, 12, "0xaa", ChainEventKind.TokenTransfer, [(UInt128)5, (UInt128)6], null, "0x42", (UInt128)700);

    public static TheoryData<string> Changes => new() { "key", "block", "hash", "kind", "ids", "idOrder", "ignored", "channel", "cumulative" };

    [Fact]
    public void Equal_SameFieldsInOtherListInstances()
    {
        var copy = Event() with { TransferIds = new List<UInt128> { 5, 6 } };

        copy.Equals(Event()).ShouldBeTrue();
        copy.GetHashCode().ShouldBe(Event().GetHashCode());
        Event().Equals(null).ShouldBeFalse();
    }

    [Theory]
    [MemberData(nameof(Changes))]
    public void NotEqual_WhenAnyOneFieldDiffers(string change)
    {
        var other = change switch
        {
            "key" => Event() with { Key = Key with { LogIndex = 4 } },
            "block" => Event() with { BlockNumber = 13 },
            "hash" => Event() with { BlockHash = "0xab" },
            "kind" => Event() with { Kind = ChainEventKind.ChannelOpened },
            "ids" => Event() with { TransferIds = [(UInt128)5] },
            "idOrder" => Event() with { TransferIds = [(UInt128)6, (UInt128)5] },
            "ignored" => Event() with { Ignored = EventIgnoredReason.NoMovement },
            "channel" => Event() with { ChannelId = "0x43" },
            _ => Event() with { PayeeCumulative = (UInt128)701 },
        };

        other.Equals(Event()).ShouldBeFalse(change);
        Event().Equals(other).ShouldBeFalse(change);
    }
}
