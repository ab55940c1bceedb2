using Echain.Bench;

// Child mode: the measured server (see ServeMode). Otherwise: the driver (see Bench).
if (args.Length >= 2 && args[0] == "--serve")
{
    var options = new Dictionary<string, string>();
    for (var i = 2; i + 1 < args.Length; i += 2) options[args[i].TrimStart('-')] = args[i + 1];
    return await ServeMode.RunAsync(args[1], options);
}
return await Bench.MainAsync(args);
