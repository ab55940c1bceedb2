using System.Numerics;
using Nethereum.Web3;

namespace Echain.Demo.Chain;

/// <summary>The contracts' own answers (eth_call): what the API's reads must equal.</summary>
public sealed class ChainState(IWeb3 web3, EchainDeployment deployment)
{
    public async Task<string> OwnerOfAsync(BigInteger tokenId) =>
        (await Query<OwnerOfFunction, string>(deployment.TicketContract, new OwnerOfFunction { TokenId = tokenId })).ToLowerInvariant();

    public Task<bool> IsUsedAsync(BigInteger tokenId) =>
        Query<IsUsedFunction, bool>(deployment.TicketContract, new IsUsedFunction { TokenId = tokenId });

    public Task<BigInteger> TicketEventAsync(BigInteger tokenId) =>
        Query<TicketEventFunction, BigInteger>(deployment.TicketContract, new TicketEventFunction { TokenId = tokenId });

    public Task<string> TokenUriAsync(BigInteger tokenId) =>
        Query<TokenUriFunction, string>(deployment.TicketContract, new TokenUriFunction { TokenId = tokenId });

    public Task<string> TicketBaseUriAsync(BigInteger eventId) =>
        Query<TicketBaseUriFunction, string>(deployment.TicketContract, new TicketBaseUriFunction { EventId = eventId });

    /// <summary>ERC-165 on the ticket contract; <paramref name="interfaceId"/> is 4 bytes, e.g. 0x49064906 (ERC-4906).</summary>
    public Task<bool> TicketsSupportAsync(uint interfaceId) =>
        Query<SupportsInterfaceFunction, bool>(deployment.TicketContract, new SupportsInterfaceFunction
        {
            InterfaceId = [(byte)(interfaceId >> 24), (byte)(interfaceId >> 16), (byte)(interfaceId >> 8), (byte)interfaceId],
        });

    public async Task<TicketedEvent> EventAsync(BigInteger eventId) =>
        (await web3.Eth.GetContractQueryHandler<EventInfoFunction>()
            .QueryDeserializingToObjectAsync<EventInfoOutput>(new EventInfoFunction { EventId = eventId }, deployment.TicketContract)).Event;

    public Task<BigInteger> UsdcBalanceAsync(string holder) =>
        Query<BalanceOfFunction, BigInteger>(deployment.PaymentToken, new BalanceOfFunction { Owner = holder });

    public Task<BigInteger> TicketBalanceAsync(string holder) =>
        Query<BalanceOfFunction, BigInteger>(deployment.TicketContract, new BalanceOfFunction { Owner = holder });

    private Task<TResult> Query<TFunction, TResult>(string contract, TFunction function)
        where TFunction : Nethereum.Contracts.FunctionMessage, new() =>
        web3.Eth.GetContractQueryHandler<TFunction>().QueryAsync<TResult>(contract, function);
}
