using Settlement.Testing;

namespace Settlement.Ethereum.IntegrationTests.Rpc;

public sealed class AnvilTransactionSenderTests(AnvilNode node) : TransactionSenderTests<AnvilNode>(node);
