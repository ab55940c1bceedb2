namespace Echain.Demo.Emulator;

/// <summary>
/// One event of one subscription: what a CDP subscription emits for a matching log. Every attempt
/// (a retry, a duplicate) sends these same bytes under this same event id.
/// </summary>
public sealed record CdpDelivery(string EventId, CdpSubscription Subscription, Chain.CdpActivity Activity, byte[] Body)
{
    public static CdpDelivery For(CdpSubscription subscription, Chain.CdpActivity activity) =>
        new(Guid.NewGuid().ToString(), subscription, activity, activity.ToJson());

    public override string ToString() =>
        $"{EventId} ({Activity.EventName} {Activity.TransactionHash}#{Activity.LogIndex} for {Subscription})";
}
