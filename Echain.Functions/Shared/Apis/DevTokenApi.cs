using Echain.Core.Reads;
using Echain.Functions.Shared.Http;
using Echain.Functions.Shared.OpenApi;
using Echain.Functions.Shared.Realtime;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Echain.Functions.Shared.Apis;

/// <summary>Development stand-in for wallet sign-in: signs a user token for any address (Echain:Auth:EnableDevTokens).</summary>
public static class DevTokenApi
{
    public static IEndpointRouteBuilder MapDevTokenApi(this IEndpointRouteBuilder app)
    {
        // 404 while Echain:Auth:EnableDevTokens is off.
        app.MapPost("/api/dev/token", IssueDevToken).ProducesProblems(400, 404, 415).WithTags("Sign-in")
            .ServesFrontend(FrontendRouteKind.SignIn);
        return app;
    }

    public sealed record DevTokenRequest(string Address);
    public sealed record DevToken(string AccessToken, string UserId, DateTimeOffset ExpiresOn);

    public static Results<Ok<DevToken>, ApiProblemResult, NotFound> IssueDevToken(
        DevTokenRequest body, RealtimeTokens tokens, IOptions<RealtimeAuthOptions> options)
    {
        if (!options.Value.EnableDevTokens) return TypedResults.NotFound();
        if (!WalletAddress.TryParse(body.Address, out var wallet))
            return Problems.BadRequest($"'{body.Address}' is not an address (0x followed by 40 hex digits).", "address");
        return TypedResults.Ok(new DevToken(tokens.CreateUserToken(wallet.Value), wallet.Value, tokens.ExpiresOn));
    }
}
