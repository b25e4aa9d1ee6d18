using Settlement.Testing;

namespace Settlement.Channels.IntegrationTests.Contracts;

public sealed class HardhatChannelAttackTests(HardhatNode node) : ChannelAttackTests<HardhatNode>(node);
