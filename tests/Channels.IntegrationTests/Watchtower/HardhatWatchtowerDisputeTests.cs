using Settlement.Testing;

namespace Settlement.Channels.IntegrationTests.Watchtower;

public sealed class HardhatWatchtowerDisputeTests(HardhatNode node) : WatchtowerDisputeTests<HardhatNode>(node);
