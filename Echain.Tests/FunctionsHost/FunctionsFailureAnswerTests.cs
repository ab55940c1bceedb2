using System.Text.Json;
using Echain.Core;
using Echain.Functions.AzureFunctions;
using Echain.LocalServices;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Echain.Tests.FunctionsHost;

/// <summary>
/// A payload-mode HTTP function that throws answers its client through Outputs.res, as the standalone host would,
/// instead of failing the invocation (which the Functions host turns into a bare 500): the filter every HTTP function
/// of the catalog gets, fed what Npgsql really throws against a port nothing listens on.
/// </summary>
public sealed class FunctionsFailureAnswerTests
{
    [Fact]
    public async Task A_dependency_failure_inside_an_http_function_is_res_503_with_retry_after_and_no_other_output()
    {
        await using var source = NpgsqlDataSource.Create($"Host=127.0.0.1;Port={LoopbackPort.Free()};Username=postgres;Timeout=5");
        var result = await InvokeAsync(async () =>
        {
            await using var connection = await source.OpenConnectionAsync();
            return InvocationResult.Ok();
        });

        var res = result.Outputs[BindingNames.Response]!.AsObject();
        Assert.Equal("503", res["statusCode"]!.GetValue<string>());
        Assert.Equal("5", res["headers"]!["Retry-After"]!.GetValue<string>());
        Assert.Equal(ApiProblem.ContentType, res["headers"]!["Content-Type"]!.GetValue<string>());
        var body = res["body"]!.GetValue<string>();
        Assert.Equal(ApiProblem.TypeBase + "service-unavailable", JsonDocument.Parse(body).RootElement.GetProperty("type").GetString());
        Assert.DoesNotContain("Npgsql", body);
        Assert.Equal(StatusCodes.Status200OK, result.StatusCode); // the invocation itself succeeded: the host sends res
        Assert.Single(result.Outputs); // no outEvents
    }

    [Fact]
    public async Task A_bug_inside_an_http_function_is_res_500_with_a_fixed_detail()
    {
        var result = await InvokeAsync(() => throw new InvalidOperationException("secret internals"));
        var res = result.Outputs[BindingNames.Response]!.AsObject();
        Assert.Equal("500", res["statusCode"]!.GetValue<string>());
        Assert.DoesNotContain("secret internals", res["body"]!.GetValue<string>());
        Assert.Null(res["headers"]!["Retry-After"]);
    }

    private static async Task<InvocationResult> InvokeAsync(Func<Task<InvocationResult>> function)
    {
        await using var services = new ServiceCollection().AddLogging().BuildServiceProvider();
        var http = new DefaultHttpContext { RequestServices = services };
        http.Request.Method = "POST";
        http.Request.Path = "/" + CoinbaseWebhookFunction.Name;
        var answer = await AzureFunctionsComposition.AnswerFailuresInResponseAsync(
            new DefaultEndpointFilterInvocationContext(http), async _ => await function());
        return Assert.IsType<InvocationResult>(answer);
    }
}
