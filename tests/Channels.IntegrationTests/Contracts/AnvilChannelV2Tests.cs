using Settlement.Testing;

namespace Settlement.Channels.IntegrationTests.Contracts;

public sealed class AnvilChannelV2Tests(AnvilNode node) : ChannelV2Tests<AnvilNode>(node);
