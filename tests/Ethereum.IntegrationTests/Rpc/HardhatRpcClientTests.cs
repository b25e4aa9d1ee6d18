using Settlement.Testing;

namespace Settlement.Ethereum.IntegrationTests.Rpc;

public sealed class HardhatRpcClientTests(HardhatNode node) : RpcClientTests<HardhatNode>(node);
