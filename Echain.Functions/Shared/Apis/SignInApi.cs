using System.Text.Json;
using Echain.Core;
using Echain.Core.Auth;
using Echain.Functions.Shared.Http;
using Echain.Functions.Shared.OpenApi;
using Echain.Functions.Shared.Realtime;
using Microsoft.AspNetCore.Http.HttpResults;
using StackExchange.Redis;

namespace Echain.Functions.Shared.Apis;

/// <summary>
/// Sign-In with Ethereum (EIP-4361): a nonce, then the signed message in exchange for the user token negotiate
/// accepts. <see cref="SignInVerifier"/> decides; this adapts it to HTTP. Answers are never cached or logged.
/// </summary>
public static class SignInApi
{
    /// <summary>A sign-in body is a few hundred bytes; anything near this is not one.</summary>
    public const long MaxBodyBytes = 16 * 1024;
    private static readonly JsonSerializerOptions BodyJson = new(JsonSerializerDefaults.Web);

    public static IEndpointRouteBuilder MapSignInApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/auth/nonce", IssueNonceAsync).WithTags("Sign-in").ServesFrontend(FrontendRouteKind.SignIn);
        app.MapPost("/api/auth/verify", VerifyAsync).Accepts<SignInRequest>("application/json").ProducesProblems(400, 401, 413, 415).WithTags("Sign-in")
            .ServesFrontend(FrontendRouteKind.SignIn);
        return app;
    }

    public sealed record SignInNonce(string Nonce);
    public sealed record SignInRequest(string? Message, string? Signature);
    public sealed record SignInToken(string AccessToken, string UserId, DateTimeOffset ExpiresOn);

    public static async Task<Results<Ok<SignInNonce>, ApiProblemResult>> IssueNonceAsync(SignInNonces nonces, HttpResponse response)
    {
        response.Headers.CacheControl = "no-store";
        try
        {
            return TypedResults.Ok(new SignInNonce(await nonces.IssueAsync()));
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            return Unavailable(response, ApiProblem.ServiceUnavailable("Sign-in nonces are unavailable; retry later."));
        }
    }

    public static async Task<Results<Ok<SignInToken>, ApiProblemResult>> VerifyAsync(
        HttpRequest request, HttpResponse response, SignInVerifier verifier, RealtimeTokens tokens, CancellationToken ct)
    {
        response.Headers.CacheControl = "no-store";
        if (!request.HasJsonContentType()) return Problems.From(ApiProblem.UnsupportedMediaType(request.ContentType));
        if (request.ContentLength > MaxBodyBytes) return Problems.From(ApiProblem.PayloadTooLarge(MaxBodyBytes));
        SignInRequest? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<SignInRequest>(new LimitedStream(request.Body, MaxBodyBytes), BodyJson, ct);
        }
        catch (JsonException)
        {
            return Problems.BadRequest("The body must be a JSON object {\"message\": \"…\", \"signature\": \"0x…\"}.", "body");
        }
        catch (InvalidDataException)
        {
            return Problems.From(ApiProblem.PayloadTooLarge(MaxBodyBytes));
        }
        if (body is null) return Problems.BadRequest("The body must be a JSON object {\"message\": \"…\", \"signature\": \"0x…\"}.", "body");

        var outcome = await verifier.VerifyAsync(body.Message, body.Signature, ct);
        if (outcome.Problem is { } problem)
            return problem.Status == StatusCodes.Status503ServiceUnavailable ? Unavailable(response, problem) : Problems.From(problem);
        return TypedResults.Ok(new SignInToken(tokens.CreateUserToken(outcome.Wallet!), outcome.Wallet!, tokens.ExpiresOn));
    }

    private static ApiProblemResult Unavailable(HttpResponse response, ApiProblem problem)
    {
        // A node or Redis outage is short as a rule: say when to try again rather than leave clients guessing.
        response.Headers.RetryAfter = "5";
        return Problems.From(problem);
    }

    /// <summary>Reads at most <paramref name="limit"/> bytes of a body without a Content-Length (chunked).</summary>
    private sealed class LimitedStream(Stream inner, long limit) : Stream
    {
        private long _read;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _read; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Read asynchronously.");
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            _read += read;
            if (_read > limit) throw new InvalidDataException("The body is too large.");
            return read;
        }
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
