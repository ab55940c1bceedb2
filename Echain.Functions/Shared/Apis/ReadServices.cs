using Echain.Core.Reads;

namespace Echain.Functions.Shared.Apis;

/// <summary>Services every read endpoint needs, bound with [AsParameters].</summary>
public sealed record ReadServices(TicketReads Reads, CancellationToken CancellationToken);
