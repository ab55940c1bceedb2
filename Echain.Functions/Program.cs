using Echain.Functions;
using Echain.Functions.AzureFunctions;

// Packaging (scripts/publish-functions.sh): the executable that ships writes its own function.json files from
// FunctionCatalog, before any host is built, so it needs no configuration and no database.
if (args.Length > 0 && args[0] == FunctionCatalog.WriteMetadataCommand)
{
    if (args.Length != 2)
    {
        Console.Error.WriteLine($"usage: Echain.Functions {FunctionCatalog.WriteMetadataCommand} <package root>");
        return 2;
    }
    var written = FunctionCatalog.WriteFunctionJson(args[1]);
    Console.WriteLine($"wrote {written} function.json files under {args[1]}");
    return 0;
}

// One executable, two hosts: standalone (Kestrel + Redis Stream queue + in-process SignalR hub) or,
// when the Azure Functions host starts it as a custom handler, the Functions adapters (docs/architecture.md).
var app = await EchainApp.CreateAsync(args);
await app.RunAsync();
return 0;
