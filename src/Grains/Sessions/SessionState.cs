using Shopstream.Grains.Interfaces.Grains;

namespace Shopstream.Grains.Sessions;

/// <summary>What a session grain persists: the event ids it remembers and its last projected aggregate.</summary>
[GenerateSerializer]
public sealed class SessionState
{
    /// <summary>Fact ids (event id and product id) most recently seen, oldest first, at most the configured cap.</summary>
    [Id(0)] public List<string> SeenEventIds { get; set; } = [];

    [Id(1)] public SessionSnapshot? Snapshot { get; set; }
}
