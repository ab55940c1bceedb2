using Echain.Functions.AzureFunctions;

namespace Echain.Tests.FunctionsHost;

/// <summary>AzureSignalRConnectionString as negotiate reads it: the two shapes infra and local settings use, and refusals naming the setting.</summary>
public sealed class SignalRServiceConnectionTests
{
    [Fact]
    public void An_access_key_connection_signs_locally_for_the_lowercased_hub()
    {
        var connection = SignalRServiceConnection.Parse("Endpoint=https://echain.service.signalr.net;AccessKey=abc=;Version=1.0;", out var error);
        Assert.Null(error);
        Assert.NotNull(connection);
        Assert.Equal(("abc=", false), (connection.AccessKey, connection.UsesIdentity));
        Assert.Equal("https://echain.service.signalr.net/client/?hub=echain", connection.ClientUrl("Echain"));
        Assert.Equal(connection.ClientUrl("echain"), connection.ClientAudience("echain"));
    }

    [Theory]
    [InlineData("Endpoint=https://echain.service.signalr.net/;AuthType=azure.msi;ClientId=6f1c;Version=1.0;", "6f1c")]
    [InlineData("endpoint=https://echain.service.signalr.net;authtype=AZURE.MSI", null)]
    public void An_identity_connection_asks_the_service_with_the_named_or_system_identity(string setting, string? clientId)
    {
        var connection = SignalRServiceConnection.Parse(setting, out _);
        Assert.NotNull(connection);
        Assert.True(connection.UsesIdentity);
        Assert.Equal(clientId, connection.ClientId);
        Assert.Equal("https://echain.service.signalr.net/api/hubs/echain/:generateToken?userId=0xab%2Bc&minutesToExpire=60&api-version=2022-11-01",
            connection.GenerateTokenUri("echain", "0xab+c", 60).AbsoluteUri);
        Assert.Equal("https://echain.service.signalr.net/api/hubs/echain/:generateToken?minutesToExpire=5&api-version=2022-11-01",
            connection.GenerateTokenUri("echain", null, 5).AbsoluteUri);
    }

    [Fact]
    public void A_port_moves_the_client_url_but_not_the_audience()
    {
        var connection = SignalRServiceConnection.Parse("Endpoint=http://localhost;Port=8888;AccessKey=k;Version=1.0;", out _)!;
        Assert.Equal("http://localhost:8888/client/?hub=echain", connection.ClientUrl("echain"));
        Assert.Equal("http://localhost/client/?hub=echain", connection.ClientAudience("echain"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("AccessKey=k;Version=1.0;")]
    [InlineData("Endpoint=ftp://x;AccessKey=k")]
    [InlineData("Endpoint=https://x.service.signalr.net;Version=1.0;")]
    [InlineData("Endpoint=https://x.service.signalr.net;AuthType=azure.app;ClientId=a;ClientSecret=b")]
    [InlineData("Endpoint=https://x.service.signalr.net;AccessKey=k;Port=http")]
    public void An_unusable_setting_is_refused_naming_it(string? setting)
    {
        Assert.Null(SignalRServiceConnection.Parse(setting, out var error));
        Assert.StartsWith("AzureSignalRConnectionString ", error);
    }
}
