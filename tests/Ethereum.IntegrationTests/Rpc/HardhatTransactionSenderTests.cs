using Settlement.Testing;

namespace Settlement.Ethereum.IntegrationTests.Rpc;

public sealed class HardhatTransactionSenderTests(HardhatNode node) : TransactionSenderTests<HardhatNode>(node);
