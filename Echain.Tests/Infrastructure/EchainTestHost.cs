using System.Net;
using System.Net.Http.Json;
using System.Numerics;
using System.Text.Json;
using Echain.Demo;
using Echain.Demo.Chain;
using Echain.Functions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Configuration;
using StackExchange.Redis;

namespace Echain.Tests.Infrastructure;

/// <summary>
/// The real standalone app on a free Kestrel port, over a private PostgreSQL database, a private redis-server
/// and a private anvil with the Echain contracts deployed (<see cref="Ledger"/> transacts on it and returns what
/// CDP would deliver; <see cref="Webhooks"/> signs and sends that). Use as a class fixture. Stop/Start keep the
/// port, both stores and the node, like a process restart. A subclass may start the same app as an Azure
/// Functions custom handler instead (FUNCTIONS_CUSTOMHANDLER_PORT given as configuration).
/// </summary>
public class EchainTestHost : IAsyncLifetime, IAsyncDisposable
{
    public const string Secret = "test-webhook-secret";
    public const string StreamName = "echain:chain-events";
    public const string AdminKey = "test-admin-key";

    private WebApplication? _app;
    private TestDatabase? _database;
    private PostgresServer? _postgres;
    private ConnectionMultiplexer? _redisClient;
    private readonly bool _functionsHost;
    private AnvilServer? _anvil;
    private TestLedger? _ledger;
    private readonly string _consumerName = "test-" + Guid.NewGuid().ToString("N")[..8];

    // A sibling shares its parent's database, redis-server and node; only the owner disposes them.
    private readonly bool _ownsStores = true;
    // A host given a node (several hosts on one chain) leaves it to whoever made it.
    private readonly bool _ownsAnvil = true;

    public EchainTestHost() : this(functionsHost: false) { }

    // (A class fixture may have one public constructor: the node-sharing one is behind OnNode.)
    private EchainTestHost(AnvilServer anvil) : this(functionsHost: false)
    {
        _anvil = anvil;
        _ownsAnvil = false;
    }

    /// <summary>A host on <paramref name="anvil"/>, which its caller owns: hosts that must see one chain's deliveries.</summary>
    public static EchainTestHost OnNode(AnvilServer anvil) => new(anvil);

    protected EchainTestHost(bool functionsHost, bool privatePostgres = false)
    {
        _functionsHost = functionsHost;
        PrivatePostgres = privatePostgres;
        Redis = new RedisServer();
    }

    private EchainTestHost(EchainTestHost parent)
    {
        _ownsStores = false;
        _functionsHost = parent._functionsHost;
        _postgres = parent._postgres;
        _database = parent._database;
        Redis = parent.Redis;
        _anvil = parent._anvil;
        _ledger = parent._ledger;
        _ownsAnvil = false;
        foreach (var (key, value) in parent.Settings) Settings[key] = value;
    }

    public RedisServer Redis { get; }
    public HttpClient Http { get; } = new();
    public Uri BaseAddress { get; private set; } = new("http://127.0.0.1/");
    /// <summary>Transactions on this host's node, returned with the CDP deliveries they cause.</summary>
    public TestLedger Ledger => _ledger ?? throw new InvalidOperationException("Not initialized.");
    public EchainDeployment Deployment => Ledger.Deployment;
    public AnvilServer Anvil => _anvil ?? throw new InvalidOperationException("Not initialized.");
    public WebhookSender Webhooks => new(Http, new Uri(BaseAddress, "api/webhooks/coinbase"), Secret);
    public IServiceProvider Services => _app?.Services ?? throw new InvalidOperationException("The app is not running.");
    public WebApplication App => _app ?? throw new InvalidOperationException("The app is not running.");
    public PostgresServer Postgres => _postgres ?? throw new InvalidOperationException("Not initialized.");

    /// <summary>On its own PostgreSQL server rather than the run's shared one, so the test may stop it (an outage)
    /// without disturbing other tests; disposed with the host.</summary>
    public bool PrivatePostgres { get; init; }
    public string DatabaseName => _database?.Name ?? throw new InvalidOperationException("Not initialized.");

    /// <summary>Runs on the app's builder after the settings are added, on every start (e.g. a log capture provider).</summary>
    public Action<WebApplicationBuilder>? ConfigureApp { get; set; }

    /// <summary>Extra settings a test class needs (e.g. a cache switch), applied on every start over the defaults; a null value removes a default.</summary>
    public Dictionary<string, string?> Settings { get; } = new();

    /// <summary>The reconciler on, passes every <paramref name="interval"/>, items final after <paramref name="confirmations"/> blocks.</summary>
    public EchainTestHost Reconciling(int confirmations = 2, TimeSpan? interval = null)
    {
        Settings["Echain:Chain:Reconcile"] = "true";
        Settings["Echain:Chain:Confirmations"] = confirmations.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Settings["Echain:Chain:ReconcileInterval"] = (interval ?? TimeSpan.FromMilliseconds(500)).ToString("c");
        return this;
    }

    public async Task InitializeAsync()
    {
        _postgres = PrivatePostgres ? await PostgresServer.StartPrivateAsync() : await PostgresServer.GetAsync();
        _database = await _postgres.CreateDatabaseAsync();
        _redisClient = Redis.Connect();
        _anvil ??= new AnvilServer();
        _ledger = await TestLedger.CreateAsync(_anvil);
        await StartAsync();
    }

    /// <summary>A second instance of the app over the same PostgreSQL and Redis, as behind a load balancer.</summary>
    public async Task<EchainTestHost> StartSiblingAsync()
    {
        var sibling = new EchainTestHost(this) { _redisClient = Redis.Connect() };
        await sibling.StartAsync();
        return sibling;
    }

    public async Task StartAsync()
    {
        var port = BaseAddress.Port == 80 ? 0 : BaseAddress.Port;
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = _postgres!.ConnectionString(_database!.Name),
            ["ConnectionStrings:Redis"] = Redis.Configuration,
            ["Coinbase:WebhookSecrets:0"] = Secret,
            ["Echain:TicketContracts:0"] = Deployment.TicketContract,
            ["Echain:PaymentTokens:0"] = Deployment.PaymentToken,
            ["Echain:Chain:RpcUrls:0"] = Anvil.RpcUrl.ToString(),
            ["Echain:Chain:Network"] = TestLedger.Network,
            // Most tests drive the projection with webhooks alone; the reconciler's tests switch it on (Reconciling()).
            ["Echain:Chain:Reconcile"] = "false",
            ["Echain:Auth:SigningKey"] = "test-signing-key-0123456789abcdef0123456789",
            ["Echain:Auth:EnableDevTokens"] = "true",
            ["Echain:Admin:Key"] = AdminKey,
            // The whole suite is one client (127.0.0.1) making thousands of calls a minute; the rate limit tests switch them on.
            ["Echain:RateLimits:Enabled"] = "false",
            // Short so redelivery tests finish quickly; production keeps 30 s.
            ["Echain:Queue:VisibilityTimeout"] = "00:00:02",
            ["Echain:Queue:IdlePollInterval"] = "00:00:00.200",
            ["Logging:LogLevel:Default"] = "Warning",
            // As appsettings.json ships (quiet); the log tests switch request lines on to see them.
            ["Logging:LogLevel:Microsoft.AspNetCore.HttpLogging"] = "Warning",
            // Instances in one process need their own consumer names, as separate machines have.
            ["Echain:Queue:ConsumerName"] = _consumerName,
        };
        foreach (var (key, value) in Settings) // the test's own settings win; null takes a default away
            if (value is null) settings.Remove(key);
            else settings[key] = value;
        string[] args = _functionsHost
            ? [$"--FUNCTIONS_CUSTOMHANDLER_PORT={port}"]
            : ["--urls", $"http://127.0.0.1:{port}"];
        _app = await EchainApp.CreateAsync(args,
            builder =>
            {
                builder.Configuration.AddInMemoryCollection(settings);
                ConfigureApp?.Invoke(builder);
            });
        try
        {
            await _app.StartAsync();
        }
        catch
        {
            // A host that failed to start (a setting refused, say) has nothing to stop; the test sees the error.
            await _app.DisposeAsync();
            _app = null;
            throw;
        }
        BaseAddress = new Uri(_app.Urls.First().TrimEnd('/') + "/");
    }

    public async Task StopAsync()
    {
        if (_app is null) return;
        await _app.StopAsync();
        await _app.DisposeAsync();
        _app = null;
    }

    public async Task DisposeAsync()
    {
        await StopAsync();
        _redisClient?.Dispose();
        Http.Dispose();
        if (_ownsAnvil) _anvil?.Dispose();
        if (!_ownsStores) return;
        if (_database is not null) await _database.DisposeAsync();
        if (PrivatePostgres && _postgres is not null) await _postgres.DisposeAsync();
        Redis.Dispose();
    }

    ValueTask IAsyncDisposable.DisposeAsync() => new(DisposeAsync());

    public Uri Url(string relative) => new(BaseAddress, relative);

    public Task<HttpResponseMessage> GetAsync(string relative, string? ifNoneMatch = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, Url(relative));
        if (ifNoneMatch is not null) request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        return Http.SendAsync(request);
    }

    public async Task<JsonElement> GetJsonAsync(string relative)
    {
        using var response = await GetAsync(relative);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {relative}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>Messages currently in the queue stream (not yet acknowledged and deleted).</summary>
    public Task<long> QueueLengthAsync() => _redisClient!.GetDatabase().StreamLengthAsync(StreamName);

    /// <summary>How many entries were ever added to the queue stream (Redis 7's entries-added): a rejected
    /// request must not move it, whatever the consumer has processed meanwhile.</summary>
    public async Task<long> QueuedTotalAsync()
    {
        var db = _redisClient!.GetDatabase();
        if (!await db.KeyExistsAsync(StreamName)) return 0;
        var info = (RedisResult[])(await db.ExecuteAsync("XINFO", "STREAM", StreamName))!;
        for (var i = 0; i + 1 < info.Length; i += 2)
            if ((string?)info[i] == "entries-added") return (long)info[i + 1];
        throw new InvalidOperationException("XINFO STREAM has no entries-added (Redis 7 or newer is required).");
    }

    /// <summary>Waits until every queued event has been processed (the consumer deletes acknowledged entries).</summary>
    public Task DrainedAsync() => Eventually.TrueAsync(async () => await QueueLengthAsync() == 0, "the queue to drain");

    /// <summary>
    /// Updates the event <paramref name="count"/> times on the node (title + "0", title + "1", …), delivering and
    /// applying each before the next, so its group stream gets one event-updated message per update, in order.
    /// </summary>
    public async Task UpdateEventRepeatedlyAsync(EchainWallet organizer, BigInteger eventId, int count, string title,
        DateTimeOffset start, long ticketPrice)
    {
        for (var i = 0; i < count; i++)
        {
            await Webhooks.SendAllAsync(await Ledger.UpdateEventAsync(organizer, eventId, $"{title}{i}", "", start, start.AddHours(1), ticketPrice));
            await DrainedAsync();
        }
    }

    public async Task<string> DevTokenAsync(string wallet)
    {
        using var response = await Http.PostAsJsonAsync(Url("api/dev/token"), new { address = wallet });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
    }

    /// <summary>A real SignalR client through /api/negotiate, as the frontend connects; joined to the given event groups.</summary>
    public async Task<RealtimeRecorder> ConnectAsync(string? wallet, params string[] eventIds)
    {
        var token = wallet is null ? null : await DevTokenAsync(wallet);
        var connection = new HubConnectionBuilder()
            .WithUrl(Url("api"), o => { if (token is not null) o.AccessTokenProvider = () => Task.FromResult<string?>(token); })
            .WithStatefulReconnect()
            .Build();
        var recorder = new RealtimeRecorder(connection);
        await connection.StartAsync();
        // As the page does: wait for this connection's proof, then join with it.
        var membership = eventIds.Length == 0 ? null : await recorder.MembershipAsync();
        foreach (var eventId in eventIds)
        {
            using var join = await Http.PostAsJsonAsync(Url($"api/realtime/groups/{eventId}"), membership);
            Assert.Equal(HttpStatusCode.NoContent, join.StatusCode);
        }
        return recorder;
    }
}
