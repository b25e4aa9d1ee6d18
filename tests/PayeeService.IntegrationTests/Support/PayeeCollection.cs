namespace Settlement.PayeeService.IntegrationTests.Support;

/// <summary>
/// Every test class of this project shares one Anvil node and one deployment (<see cref="PayeeWorldFixture"/>); each
/// test opens its own channels and starts its own payee service. One collection, so the classes run one after another:
/// the timing tests (send timeouts, kill -9 mid-stream) do not compete with each other for the two cores.
/// </summary>
[CollectionDefinition(Name)]
public sealed class PayeeCollection : ICollectionFixture<PayeeWorldFixture>
{
    public const string Name = "Payee service on Anvil";
}
