namespace Echain.Demo.Emulator;

/// <summary>
/// One CDP webhook subscription: its labels combine with AND (<paramref name="EventName"/> null = every
/// event of the contract), and it signs its deliveries with its own secret.
/// </summary>
public sealed record CdpSubscription(string Network, string ContractAddress, string? EventName, string Secret)
{
    public bool Matches(Chain.CdpActivity activity) =>
        string.Equals(Network, activity.Network, StringComparison.OrdinalIgnoreCase)
        && string.Equals(ContractAddress, activity.ContractAddress, StringComparison.OrdinalIgnoreCase)
        && (EventName is null || string.Equals(EventName, activity.EventName, StringComparison.Ordinal));

    /// <summary>The labels only: a subscription is logged, its secret never is.</summary>
    public override string ToString() => $"{Network} {ContractAddress.ToLowerInvariant()} {EventName ?? "(all events)"}";
}
