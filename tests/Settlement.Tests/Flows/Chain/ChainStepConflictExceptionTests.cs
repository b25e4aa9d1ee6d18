using Settlement.Service.Flows.Chain;

namespace Settlement.Service.Tests.Flows.Chain;

/// <summary>The conflict's message names the step and the detail; the other constructors leave no step key.</summary>
public sealed class ChainStepConflictExceptionTests
{
    [Fact]
    public void StepAndDetail_MessageAndStepKey()
    {
        var e = new ChainStepConflictException("payout/1/burn/burn", "transaction 0xab was stored for it first");

        e.StepKey.ShouldBe("payout/1/burn/burn");
        e.Message.ShouldBe("Chain step 'payout/1/burn/burn' is already bound to another transaction: transaction 0xab was stored for it first. Nothing was sent.");
        e.InnerException.ShouldBeNull();
    }

    [Fact]
    public void NoArguments_EmptyStepKey()
    {
        new ChainStepConflictException().StepKey.ShouldBe(string.Empty);
    }

    [Fact]
    public void MessageAndInner_KeptAsGiven_EmptyStepKey()
    {
        var inner = new InvalidOperationException("inner");

        var e = new ChainStepConflictException("conflict", inner);

        e.Message.ShouldBe("conflict");
        e.InnerException.ShouldBeSameAs(inner);
        e.StepKey.ShouldBe(string.Empty);
    }
}
