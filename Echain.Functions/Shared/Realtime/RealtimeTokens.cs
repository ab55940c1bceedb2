using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Echain.Functions.Shared.Realtime;

/// <summary>Section "Echain:Auth".</summary>
public sealed class RealtimeAuthOptions
{
    public const string Section = "Echain:Auth";

    /// <summary>HMAC key (≥ 32 bytes of UTF-8) for user and connection tokens. Every instance needs the same key.</summary>
    public string SigningKey { get; set; } = "";

    /// <summary>Serve POST /api/dev/token, which signs a token for any address. Development only.</summary>
    public bool EnableDevTokens { get; set; }

    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>
/// Two kinds of token, one key: a user token (audience "echain-api", subject = wallet) proves who the
/// caller is at negotiate; a connection token (audience "echain-hub") is what negotiate hands out, like
/// SignalR Service's accessToken. The hub's userId comes only from a connection token's subject.
/// </summary>
public sealed class RealtimeTokens
{
    public const string UserAudience = "echain-api";
    public const string HubAudience = "echain-hub";
    public const string Issuer = "echain";
    private readonly JsonWebTokenHandler _handler = new();
    private readonly SigningCredentials _credentials;
    private readonly RealtimeAuthOptions _options;
    private readonly TimeProvider _clock;

    public RealtimeTokens(IOptions<RealtimeAuthOptions> options, TimeProvider clock, ILogger<RealtimeTokens> logger)
    {
        _options = options.Value;
        _clock = clock;
        var keyBytes = Encoding.UTF8.GetBytes(_options.SigningKey);
        if (keyBytes.Length < 32)
        {
            // A per-process key keeps a single instance working; tokens die with the process.
            logger.LogWarning("Echain:Auth:SigningKey is unset or shorter than 32 bytes; using a random per-process key.");
            keyBytes = RandomNumberGenerator.GetBytes(32);
        }
        SecurityKey = new SymmetricSecurityKey(keyBytes);
        _credentials = new SigningCredentials(SecurityKey, SecurityAlgorithms.HmacSha256);
    }

    public SymmetricSecurityKey SecurityKey { get; }

    public string CreateUserToken(string walletAddress) => Create(UserAudience, walletAddress);

    /// <summary>An anonymous connection (null user) receives event-group messages only.</summary>
    public string CreateConnectionToken(string? userId) => Create(HubAudience, userId);

    /// <summary>The wallet address of a valid user token, or null.</summary>
    public async Task<string?> ValidateUserTokenAsync(string token)
    {
        var result = await _handler.ValidateTokenAsync(token, ValidationParameters(UserAudience));
        return result.IsValid && result.Claims.TryGetValue(JwtRegisteredClaimNames.Sub, out var sub) ? sub as string : null;
    }

    /// <summary>
    /// Who is negotiating: a user token, or a connection token we issued earlier — SignalR clients
    /// re-negotiate with the token of their last redirect when they reconnect, and must keep their
    /// identity (or stay anonymous). Valid is false when neither kind validates.
    /// </summary>
    public async Task<(bool Valid, string? UserId)> ValidateNegotiatorAsync(string token)
    {
        if (await ValidateUserTokenAsync(token) is { } wallet) return (true, wallet);
        var hub = await _handler.ValidateTokenAsync(token, ValidationParameters(HubAudience));
        if (!hub.IsValid) return (false, null);
        return (true, hub.Claims.TryGetValue(JwtRegisteredClaimNames.Sub, out var sub) ? sub as string : null);
    }

    public TokenValidationParameters ValidationParameters(string audience) => new()
    {
        ValidIssuer = Issuer,
        ValidAudience = audience,
        IssuerSigningKey = SecurityKey,
        ClockSkew = TimeSpan.FromSeconds(30),
        NameClaimType = JwtRegisteredClaimNames.Sub,
    };

    public DateTimeOffset ExpiresOn => _clock.GetUtcNow() + _options.TokenLifetime;

    private string Create(string audience, string? subject)
    {
        var now = _clock.GetUtcNow().UtcDateTime;
        // A unique id: two anonymous tokens minted in the same second would otherwise be the same string, and a
        // connection is bound to the exact token that negotiated it (TransportOwners).
        var claims = new Dictionary<string, object> { [JwtRegisteredClaimNames.Jti] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)) };
        if (subject is not null) claims[JwtRegisteredClaimNames.Sub] = subject;
        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + _options.TokenLifetime,
            Claims = claims,
            SigningCredentials = _credentials,
        });
    }
}
