using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Azure.Core;
using Azure.Identity;
using Echain.Functions.Shared.Realtime;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Echain.Functions.AzureFunctions;

/// <summary>
/// <c>AzureSignalRConnectionString</c> as SignalR Service's SDKs read it: <c>Endpoint=…;AccessKey=…;Version=1.0;</c>
/// (a key that signs client tokens here) or <c>Endpoint=…;AuthType=azure.msi;ClientId=…;Version=1.0;</c> (an identity;
/// the service signs). <c>Port</c> moves the client URL but not the token audience, as in the SDKs.
/// </summary>
public sealed record SignalRServiceConnection(string Endpoint, int? Port, string? AccessKey, string? ClientId)
{
    public bool UsesIdentity => AccessKey is null;

    /// <summary>Null and a sentence naming what is wrong when the setting is missing or unusable.</summary>
    public static SignalRServiceConnection? Parse(string? connectionString, out string? error)
    {
        error = null;
        var parts = (connectionString ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=', 2)).Where(p => p.Length == 2)
            .GroupBy(p => p[0].Trim(), StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.Last()[1].Trim(), StringComparer.OrdinalIgnoreCase);
        if (!parts.TryGetValue("Endpoint", out var endpoint) || !Uri.TryCreate(endpoint, UriKind.Absolute, out var uri)
            || uri.Scheme is not ("https" or "http"))
            return Fail(out error, $"{FunctionCatalog.SignalRConnection} has no Endpoint=https://….");
        int? port = null;
        if (parts.TryGetValue("Port", out var portText))
        {
            if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var p) || p is < 1 or > 65535)
                return Fail(out error, $"{FunctionCatalog.SignalRConnection} has a Port that is not a port number.");
            port = p;
        }
        var accessKey = parts.GetValueOrDefault("AccessKey") is { Length: > 0 } key ? key : null;
        var authType = parts.GetValueOrDefault("AuthType");
        if (accessKey is null && !string.Equals(authType, "azure.msi", StringComparison.OrdinalIgnoreCase))
            return Fail(out error, $"{FunctionCatalog.SignalRConnection} needs AccessKey=… or AuthType=azure.msi (other identities are not supported).");
        var clientId = parts.GetValueOrDefault("ClientId") is { Length: > 0 } id ? id : null;
        return new SignalRServiceConnection(uri.GetLeftPart(UriPartial.Authority), port, accessKey, clientId);
    }

    private static SignalRServiceConnection? Fail(out string? error, string sentence)
    {
        error = sentence;
        return null;
    }

    /// <summary>The redirect the client follows; the hub name is lowercased like the SDKs do.</summary>
    public string ClientUrl(string hub) => $"{WithPort}/client/?hub={hub.ToLowerInvariant()}";

    /// <summary>What a client token's <c>aud</c> must be: the client URL without a port.</summary>
    public string ClientAudience(string hub) => $"{Endpoint}/client/?hub={hub.ToLowerInvariant()}";

    public Uri GenerateTokenUri(string hub, string? userId, int minutesToExpire)
    {
        var query = new StringBuilder("?");
        if (userId is not null) query.Append("userId=").Append(Uri.EscapeDataString(userId)).Append('&');
        query.Append(CultureInfo.InvariantCulture, $"minutesToExpire={minutesToExpire}&api-version={SignalRServiceNegotiation.ApiVersion}");
        return new Uri($"{WithPort}/api/hubs/{Uri.EscapeDataString(hub.ToLowerInvariant())}/:generateToken{query}");
    }

    private string WithPort => Port is { } port ? $"{Endpoint}:{port.ToString(CultureInfo.InvariantCulture)}" : Endpoint;
}

/// <summary>SignalR Service could not be asked for a client token (down, throttled, or its identity endpoint is): a 503.</summary>
public sealed class SignalRServiceUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// What the <c>signalRConnectionInfo</c> binding did, done by the handler so the user id is the one the gate resolved
/// (<see cref="Echain.Core.Realtime.NegotiateGate"/>) and no header is needed: <c>{url, accessToken}</c> for hub
/// <see cref="FunctionCatalog.HubName"/>, the token's <c>nameid</c> the user (none when anonymous), alive for
/// <c>Echain:Auth:TokenLifetime</c>. With an access key it is an HS256 JWT signed here (audience = the client URL);
/// with an identity SignalR Service mints it (<c>:generateToken</c>, role SignalR REST API Owner).
/// </summary>
public sealed class SignalRServiceNegotiation(IConfiguration configuration, IServiceProvider services,
    IOptions<RealtimeAuthOptions> auth, TimeProvider clock) : IDisposable
{
    public const string ApiVersion = "2022-11-01";
    /// <summary>The scope of a bearer for SignalR Service's data-plane REST API.</summary>
    public const string Scope = "https://signalr.azure.com/.default";
    /// <summary>The DI key of the <see cref="TokenCredential"/> for the identity path (a test puts its own first).</summary>
    public const string CredentialKey = "signalr";
    /// <summary>The claim SignalR Service reads the user id from (ClaimTypes.NameIdentifier, short form).</summary>
    public const string UserIdClaim = "nameid";

    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(10);
    private readonly JsonWebTokenHandler _handler = new();
    private readonly HttpClient _http = new() { Timeout = CallTimeout };
    private readonly Lazy<SignalRServiceConnection> _connection = new(() =>
        SignalRServiceConnection.Parse(configuration[FunctionCatalog.SignalRConnection], out var error)
        ?? throw new InvalidOperationException(error));

    public SignalRServiceConnection Connection => _connection.Value;

    public TimeSpan Lifetime => auth.Value.TokenLifetime;

    public async Task<HubConnectionInfo> NegotiateAsync(string? userId, CancellationToken ct)
    {
        var connection = Connection;
        var url = connection.ClientUrl(FunctionCatalog.HubName);
        var token = connection.UsesIdentity ? await GenerateTokenAsync(connection, userId, ct) : Sign(connection, userId);
        return new HubConnectionInfo(url, token);
    }

    private string Sign(SignalRServiceConnection connection, string? userId)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var claims = new Dictionary<string, object>();
        if (userId is not null) claims[UserIdClaim] = userId;
        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Audience = connection.ClientAudience(FunctionCatalog.HubName),
            IssuedAt = now,
            NotBefore = now,
            Expires = now + Lifetime,
            Claims = claims,
            // The service verifies with the UTF-8 bytes of the key string, as the SDKs sign (not its base64 decoding).
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(connection.AccessKey!)),
                SecurityAlgorithms.HmacSha256),
        });
    }

    private async Task<string> GenerateTokenAsync(SignalRServiceConnection connection, string? userId, CancellationToken ct)
    {
        var minutes = Math.Max(1, (int)Math.Ceiling(Lifetime.TotalMinutes));
        using var request = new HttpRequestMessage(HttpMethod.Post, connection.GenerateTokenUri(FunctionCatalog.HubName, userId, minutes));
        HttpResponseMessage response;
        try
        {
            var bearer = await services.GetRequiredKeyedService<TokenCredential>(CredentialKey)
                .GetTokenAsync(new TokenRequestContext([Scope]), ct);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer.Token);
            response = await _http.SendAsync(request, ct);
        }
        catch (Exception e) when (e is AuthenticationFailedException or HttpRequestException
                                      || (e is TaskCanceledException && !ct.IsCancellationRequested))
        {
            throw new SignalRServiceUnavailableException("SignalR Service or the managed identity endpoint did not answer.", e);
        }
        using (response)
        {
            if (response.StatusCode is HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500)
                throw new SignalRServiceUnavailableException($"SignalR Service answered {(int)response.StatusCode} to :generateToken.");
            // 401/403: the identity lacks Microsoft.SignalRService/SignalR/auth/clientToken/action, a deployment bug (500, logged).
            if (!response.IsSuccessStatusCode)
                throw new InvalidOperationException($"SignalR Service refused :generateToken with {(int)response.StatusCode}; does the identity have SignalR REST API Owner?");
            using var body = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(ct), cancellationToken: ct);
            return body.RootElement.TryGetProperty("token", out var token) && token.GetString() is { Length: > 0 } text
                ? text
                : throw new InvalidOperationException("SignalR Service's :generateToken answer has no token.");
        }
    }

    public void Dispose() => _http.Dispose();

    /// <summary>The identity <c>ClientId</c> names (user-assigned), or the app's system-assigned one.</summary>
    public static TokenCredential ManagedIdentity(SignalRServiceConnection connection) =>
        new ManagedIdentityCredential(connection.ClientId is { } clientId
            ? ManagedIdentityId.FromUserAssignedClientId(clientId)
            : ManagedIdentityId.SystemAssigned);
}
