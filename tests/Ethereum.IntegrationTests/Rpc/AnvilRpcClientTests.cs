using Settlement.Testing;

namespace Settlement.Ethereum.IntegrationTests.Rpc;

public sealed class AnvilRpcClientTests(AnvilNode node) : RpcClientTests<AnvilNode>(node);
