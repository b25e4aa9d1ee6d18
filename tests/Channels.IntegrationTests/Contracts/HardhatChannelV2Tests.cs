using Settlement.Testing;

namespace Settlement.Channels.IntegrationTests.Contracts;

public sealed class HardhatChannelV2Tests(HardhatNode node) : ChannelV2Tests<HardhatNode>(node);
