using Echain.Core.Realtime;

namespace Echain.Core.Projection;

/// <summary>
/// What a change outside one log's application (an observation of the chain) made stale and owes readers:
/// unprefixed cache resources to invalidate after the commit, then realtime messages to emit.
/// </summary>
public sealed record ProjectionChanges(IReadOnlyList<string> CacheResources, IReadOnlyList<RealtimeMessage> Messages);
