using Settlement.Testing;

namespace Settlement.Channels.IntegrationTests.Contracts;

public sealed class HardhatChannelLifecycleTests(HardhatNode node) : ChannelLifecycleTests<HardhatNode>(node);
