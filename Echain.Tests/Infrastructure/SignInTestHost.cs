namespace Echain.Tests.Infrastructure;

/// <summary>The app with one allowed sign-in origin (a page elsewhere: the origin is what the message says, not the request's).</summary>
public sealed class SignInTestHost : EchainTestHost
{
    public static readonly Uri Origin = new("https://tickets.echain.test");

    /// <summary>The local node's chain id (Base Sepolia's), which the app asks the node for.</summary>
    public const long ChainId = Echain.LocalServices.AnvilOptions.ChainId;

    public SignInTestHost() => Settings["Echain:Auth:AllowedOrigins:0"] = Origin.GetLeftPart(UriPartial.Authority);
}
