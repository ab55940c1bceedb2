using Echain.Functions;

// One executable, two hosts: standalone (Kestrel + Redis Stream queue + in-process SignalR hub) or,
// when the Azure Functions host starts it as a custom handler, the Functions adapters (docs/architecture.md).
var app = await EchainApp.CreateAsync(args);
await app.RunAsync();
