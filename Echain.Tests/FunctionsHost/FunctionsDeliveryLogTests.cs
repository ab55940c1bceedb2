using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Echain.Tests.Deliveries;

namespace Echain.Tests.FunctionsHost;

/// <summary>The delivery log on the Functions custom handler: the webhook function records, the forwarded admin route finds it.</summary>
public sealed class FunctionsDeliveryLogTests(FunctionsTestHost functions) : IClassFixture<FunctionsTestHost>
{
    [Fact]
    public async Task A_delivery_refused_by_the_webhook_function_is_listed_by_the_forwarded_ListDeliveries_route()
    {
        var hash = "0x" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var request = ClientRequest.SignedWebhook(Encoding.UTF8.GetBytes($$"""{"transaction_hash":"{{hash}}"}"""), secret: "not-the-secret");
        var result = await functions.InvokeAsync("CoinbaseWebhook", new JsonObject { ["req"] = request.ToFunctionsReq() },
            request.ToFunctionsMetadata("CoinbaseWebhook"));
        Assert.Equal("401", result.ResStatus);

        var stored = Assert.Single(await DeliveryLog.EventuallyAsync(functions, hash, 1));
        Assert.Equal((401, "unauthorized"), (stored.GetProperty("status").GetInt32(), stored.GetProperty("outcome").GetString()));
        Assert.Equal(HttpStatusCode.Unauthorized, (await DeliveryLog.AdminAsync(functions, HttpMethod.Get, "api/admin/deliveries", key: "wrong")).Status);
    }
}
