// The demo feed used to invent chain events (SimulatedChain, removed); it is being rebuilt on the local chain
// (anvil, the Echain contracts and the CDP webhook emulator). Until then this entry point only says so.
Console.Error.WriteLine("[feed] the demo feed is being rebuilt on the local chain; start the app with ./run.sh --no-demo");
return 2;
