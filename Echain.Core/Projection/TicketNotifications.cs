using Echain.Core.Realtime;

namespace Echain.Core.Projection;

/// <summary>The wording of the notifications a wallet gets about its own tickets.</summary>
internal static class TicketNotifications
{
    public static RealtimeMessage Purchased(string buyer, string tokenId, string eventId) =>
        ToUser(buyer, $"You bought ticket #{tokenId} for event #{eventId}.", RealtimeTargets.TicketPurchased);

    public static RealtimeMessage TransferredAway(string from, string tokenId, string to) =>
        ToUser(from, $"Ticket #{tokenId} was transferred to {to}.", RealtimeTargets.TicketTransferred);

    public static RealtimeMessage Minted(string to, string tokenId) =>
        ToUser(to, $"Ticket #{tokenId} was minted to you.", RealtimeTargets.TicketTransferred);

    public static RealtimeMessage Received(string to, string tokenId, string from) =>
        ToUser(to, $"You received ticket #{tokenId} from {from}.", RealtimeTargets.TicketTransferred);

    /// <summary>The notification type of a ticket change a reorg undid.</summary>
    public const string Reverted = "ticket-reverted";

    public static RealtimeMessage Lost(string holder, string tokenId) =>
        ToUser(holder, $"Ticket #{tokenId} is no longer yours: the chain dropped the transaction that gave it to you.", Reverted);

    public static RealtimeMessage Regained(string holder, string tokenId) =>
        ToUser(holder, $"Ticket #{tokenId} is yours again: the chain dropped a later transaction of it.", Reverted);

    private static RealtimeMessage ToUser(string address, string message, string type) =>
        RealtimeMessage.ToUser(RealtimeTargets.Notification, new NotificationPayload(address, message, type), address);
}
