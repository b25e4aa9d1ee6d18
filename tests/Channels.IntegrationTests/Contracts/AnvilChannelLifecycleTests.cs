using Settlement.Testing;

namespace Settlement.Channels.IntegrationTests.Contracts;

public sealed class AnvilChannelLifecycleTests(AnvilNode node) : ChannelLifecycleTests<AnvilNode>(node);
