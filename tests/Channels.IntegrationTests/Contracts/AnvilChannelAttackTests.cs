using Settlement.Testing;

namespace Settlement.Channels.IntegrationTests.Contracts;

public sealed class AnvilChannelAttackTests(AnvilNode node) : ChannelAttackTests<AnvilNode>(node);
