using System.Text.Json;
using Echain.Core;
using Microsoft.AspNetCore.Authentication;

namespace Echain.Functions.Standalone.Realtime;

/// <summary>
/// Binds a hub connection to the token that negotiated it (<see cref="TransportOwners"/>): on
/// <c>POST /hubs/echain/negotiate</c> it reads the answer's connectionToken and records it before the client sees
/// it; a transport request (<c>/hubs/echain?id=…</c>) for a connection whose token differs, or one not negotiated
/// here, is answered 404 exactly like an unknown connection, so it tells the caller nothing.
/// </summary>
public sealed class TransportOwnerMiddleware(RequestDelegate next, TransportOwners owners)
{
    private static readonly byte[] UnknownConnection = ApiProblem.NotFound("No connection with that id.").ToJson();

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (!request.Path.StartsWithSegments(EchainHub.Path, out var rest))
        {
            await next(context);
            return;
        }
        if (rest == "/negotiate" && HttpMethods.IsPost(request.Method))
        {
            await NegotiateAsync(context);
            return;
        }
        // Without an id a WebSocket that skipped negotiation opens a new connection of its own: nothing to steal.
        var connectionToken = request.Query["id"].ToString();
        if ((rest.HasValue && rest != "/") || connectionToken.Length == 0)
        {
            await next(context);
            return;
        }
        if (!owners.IsOwner(connectionToken, await BearerAsync(context)))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            context.Response.ContentType = ApiProblem.ContentType;
            await context.Response.Body.WriteAsync(UnknownConnection, context.RequestAborted);
            return;
        }
        await next(context);
    }

    private async Task NegotiateAsync(HttpContext context)
    {
        var bearer = await BearerAsync(context);
        if (bearer is null)
        {
            await next(context); // the hub's authorization answers 401
            return;
        }
        // The answer is held back until its connection is recorded: a client may use it the moment it arrives.
        var original = context.Response.Body;
        using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        try
        {
            await next(context);
        }
        finally
        {
            context.Response.Body = original;
        }
        if (context.Response.StatusCode == StatusCodes.Status200OK) Record(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), bearer);
        buffer.Position = 0;
        await buffer.CopyToAsync(original, context.RequestAborted);
    }

    private void Record(ReadOnlySpan<byte> negotiateAnswer, string bearer)
    {
        var reader = new Utf8JsonReader(negotiateAnswer);
        if (!JsonDocument.TryParseValue(ref reader, out var document)) return;
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("connectionId", out var id) || id.GetString() is not { } connectionId)
                return;
            // negotiateVersion 0 has no connectionToken: its transport requests carry the connection id itself.
            var connectionToken = root.TryGetProperty("connectionToken", out var token) && token.GetString() is { } t ? t : connectionId;
            owners.Negotiated(connectionToken, connectionId, bearer);
        }
    }

    /// <summary>The hub token this request authenticated with (header, or the query for WebSockets and SSE), or null.</summary>
    private static Task<string?> BearerAsync(HttpContext context) => context.GetTokenAsync(RealtimeAuthentication.Scheme, "access_token");
}
