using Echain.Core.Chain;
using System.Numerics;
using Nethereum.Contracts;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Web3;

namespace Echain.Demo.Chain;

/// <summary>
/// One account acting on an Echain deployment: organizer, buyer or payer. Every call is one mined
/// transaction; a revert throws (see <see cref="ContractErrors.Describe"/> for its reason).
/// </summary>
public sealed class EchainWallet(Web3 web3, EchainDeployment deployment)
{
    public string Address { get; } = web3.TransactionManager.Account.Address.ToLowerInvariant();

    public EchainDeployment Deployment => deployment;

    public async Task<(TransactionReceipt Receipt, BigInteger EventId)> CreateEventAsync(string title, string description,
        DateTimeOffset start, DateTimeOffset end, BigInteger maxTickets, BigInteger ticketPrice, CancellationToken ct = default)
    {
        var receipt = await SendAsync(deployment.TicketContract, new CreateEventFunction
        {
            Title = title, Description = description, StartTime = (ulong)start.ToUnixTimeSeconds(),
            EndTime = (ulong)end.ToUnixTimeSeconds(), MaxTickets = maxTickets, TicketPrice = ticketPrice,
        }, ct);
        return (receipt, receipt.DecodeAllEvents<EventCreatedEvent>().Single().Event.EventId);
    }

    public Task<TransactionReceipt> UpdateEventAsync(BigInteger eventId, string title, string description,
        DateTimeOffset start, DateTimeOffset end, BigInteger ticketPrice, CancellationToken ct = default) =>
        SendAsync(deployment.TicketContract, new UpdateEventFunction
        {
            EventId = eventId, Title = title, Description = description, StartTime = (ulong)start.ToUnixTimeSeconds(),
            EndTime = (ulong)end.ToUnixTimeSeconds(), TicketPrice = ticketPrice,
        }, ct);

    /// <summary>Points the event's tickets' tokenURI at <paramref name="baseUri"/> (only its organizer may).</summary>
    public Task<TransactionReceipt> SetTicketBaseUriAsync(BigInteger eventId, string baseUri, CancellationToken ct = default) =>
        SendAsync(deployment.TicketContract, new SetTicketBaseUriFunction { EventId = eventId, BaseUri = baseUri }, ct);

    /// <summary>purchaseTicket; the ticket contract must already be allowed to take the price (<see cref="ApproveTicketsAsync"/>).</summary>
    public async Task<(TransactionReceipt Receipt, BigInteger TokenId)> PurchaseAsync(BigInteger eventId, string ticketType,
        CancellationToken ct = default)
    {
        var receipt = await SendAsync(deployment.TicketContract,
            new PurchaseTicketFunction { EventId = eventId, TicketType = ticketType }, ct);
        return (receipt, receipt.DecodeAllEvents<TicketPurchasedEvent>().Single().Event.TokenId);
    }

    /// <summary>Lets the ticket contract pull up to <paramref name="amount"/> of the payment token from this wallet.</summary>
    public Task<TransactionReceipt> ApproveTicketsAsync(BigInteger amount, CancellationToken ct = default) =>
        SendAsync(deployment.PaymentToken, new ApproveFunction { Spender = deployment.TicketContract, Value = amount }, ct);

    public Task<TransactionReceipt> TransferTicketAsync(string to, BigInteger tokenId, CancellationToken ct = default) =>
        SendAsync(deployment.TicketContract, new TransferFromFunction { From = Address, To = to, TokenIdOrValue = tokenId }, ct);

    public Task<TransactionReceipt> UseTicketAsync(BigInteger tokenId, CancellationToken ct = default) =>
        SendAsync(deployment.TicketContract, new UseTicketFunction { TokenId = tokenId }, ct);

    /// <summary>TestUsdc's open mint: how the demo and the tests fund wallets.</summary>
    public Task<TransactionReceipt> MintUsdcAsync(string to, BigInteger amount, CancellationToken ct = default) =>
        SendAsync(deployment.PaymentToken, new MintFunction { To = to, Amount = amount }, ct);

    public Task<TransactionReceipt> PayUsdcAsync(string to, BigInteger amount, CancellationToken ct = default) =>
        SendAsync(deployment.PaymentToken, new TransferFunction { To = to, Value = amount }, ct);

    private async Task<TransactionReceipt> SendAsync<TFunction>(string contract, TFunction function, CancellationToken ct)
        where TFunction : FunctionMessage, new()
    {
        var receipt = await web3.Eth.GetContractTransactionHandler<TFunction>()
            .SendRequestAndWaitForReceiptAsync(contract, function, ct);
        return receipt.Status?.Value == 1 ? receipt
            : throw new InvalidOperationException($"{typeof(TFunction).Name} in {receipt.TransactionHash} failed on chain.");
    }
}
