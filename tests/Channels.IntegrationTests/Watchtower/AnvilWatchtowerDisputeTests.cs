using Settlement.Testing;

namespace Settlement.Channels.IntegrationTests.Watchtower;

public sealed class AnvilWatchtowerDisputeTests(AnvilNode node) : WatchtowerDisputeTests<AnvilNode>(node);
