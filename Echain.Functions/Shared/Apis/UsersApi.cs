using Echain.Core.Reads;
using Echain.Functions.Shared.Http;
using Echain.Functions.Shared.OpenApi;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Echain.Functions.Shared.Apis;

public static class UsersApi
{
    public static IEndpointRouteBuilder MapUsersApi(this IEndpointRouteBuilder app)
    {
        var users = app.MapGroup("/api/users/{address}").WithTags("Wallets").ServesFrontend(FrontendRouteKind.Read);
        users.MapGet("/tickets", GetTicketsAsync).ProducesRead<ItemList<UserTicketView>>().ProducesProblems(400);
        users.MapGet("/balances", GetBalancesAsync).ProducesRead<ItemList<BalanceView>>().ProducesProblems(400);
        users.MapGet("/transactions", GetTransactionsAsync).ProducesRead<Page<TransactionView>>().ProducesProblems(400);
        users.MapGet("/analytics", GetAnalyticsAsync).ProducesRead<UserAnalyticsView>().ProducesProblems(400);
        return app;
    }

    public static async Task<Results<CachedJsonResult, ApiProblemResult>> GetTicketsAsync(
        string address, [AsParameters] ReadServices services)
    {
        if (!WalletAddress.TryParse(address, out var wallet)) return BadAddress(address);
        return Found(await services.Reads.GetUserTicketsAsync(wallet, services.CancellationToken));
    }

    public static async Task<Results<CachedJsonResult, ApiProblemResult>> GetBalancesAsync(
        string address, [AsParameters] ReadServices services)
    {
        if (!WalletAddress.TryParse(address, out var wallet)) return BadAddress(address);
        return Found(await services.Reads.GetUserBalancesAsync(wallet, services.CancellationToken));
    }

    public static async Task<Results<CachedJsonResult, ApiProblemResult>> GetTransactionsAsync(
        string address, string? cursor, string? limit, [AsParameters] ReadServices services)
    {
        if (!WalletAddress.TryParse(address, out var wallet)) return BadAddress(address);
        if (!PageSize.TryParse(limit, out var size)) return EventsApi.BadLimit();
        return await EventsApi.Cursor(
            () => services.Reads.GetUserTransactionsAsync(wallet, cursor, size, services.CancellationToken), "transactions");
    }

    public static async Task<Results<CachedJsonResult, ApiProblemResult>> GetAnalyticsAsync(
        string address, AnalyticsReads analytics, CancellationToken cancellationToken)
    {
        if (!WalletAddress.TryParse(address, out var wallet)) return BadAddress(address);
        return Found(await analytics.GetUserAnalyticsAsync(wallet, cancellationToken));
    }

    // A wallet with no history is an empty list, never a 404: every address exists on chain.
    private static Results<CachedJsonResult, ApiProblemResult> Found(CachedJson? document) =>
        new CachedJsonResult(document ?? throw new InvalidOperationException("User reads always return a document."));

    private static ApiProblemResult BadAddress(string address) =>
        Problems.BadRequest($"'{address}' is not an address (0x followed by 40 hex digits).", "address");
}
