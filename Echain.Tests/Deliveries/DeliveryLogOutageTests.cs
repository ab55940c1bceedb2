using System.Net;
using Echain.LocalServices;
using Echain.Tests.Infrastructure;
using Npgsql;

namespace Echain.Tests.Deliveries;

/// <summary>
/// The delivery log while PostgreSQL is down, on a PostgreSQL of its own (stopping the shared one would fail every other
/// test): the webhook still answers 202, and the delivery is written once PostgreSQL is back. No admin key is configured
/// here, so the admin routes do not exist.
/// </summary>
public sealed class DeliveryLogOutageTests : IAsyncLifetime
{
    private const string Database = "echain";
    private readonly EchainTestHost _host = new();
    private PostgresInstance? _postgres;

    private PostgresInstance Postgres => _postgres ?? throw new InvalidOperationException("Not initialized.");

    public async Task InitializeAsync()
    {
        _postgres = await PostgresInstance.StartAsync(new PostgresOptions { DirectoryPrefix = "echain-pg-deliveries-", InitdbWithoutSync = true });
        await Postgres.PsqlAsync($"CREATE DATABASE {Database}");
        _host.Settings["ConnectionStrings:Postgres"] = Postgres.ConnectionString(Database, maxPoolSize: 10);
        _host.Settings["Echain:Admin:Key"] = null;
        _host.Settings["Echain:Deliveries:RetryInitial"] = "00:00:00.100";
        _host.Settings["Echain:Deliveries:RetryMax"] = "00:00:00.500";
        await _host.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        if (_postgres is not null) await _postgres.StopAndDeleteAsync();
    }

    [Fact]
    public async Task A_delivery_received_while_PostgreSQL_is_down_is_answered_202_and_logged_once_it_is_back()
    {
        var (missing, _) = await DeliveryLog.AdminAsync(_host, HttpMethod.Get, "api/admin/deliveries");
        Assert.Equal(HttpStatusCode.NotFound, missing);
        Assert.Equal(HttpStatusCode.NotFound, (await DeliveryLog.AdminAsync(_host, HttpMethod.Post, "api/admin/deliveries/1/replay")).Status);

        var start = new DateTimeOffset(2027, 10, 1, 20, 0, 0, TimeSpan.Zero);
        var created = await _host.Ledger.CreateEventAsync(await _host.Ledger.NewWalletAsync(), "Logged later", "", start, start.AddHours(1), 5, 1);
        var delivery = Assert.Single(created.Deliveries, d => d.EventName == "EventCreated");

        await PgCtlAsync("stop", "-m", "fast");
        using (var response = await _host.Webhooks.SendAsync(delivery))
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        // Long enough for several failed writes (backoff 100 ms to 500 ms).
        await Task.Delay(TimeSpan.FromSeconds(2));
        await PgCtlAsync("start", "-w", "-t", "60", "-l", Path.Combine(Postgres.RootDirectory, "postgres.log"),
            "-o", $"-p {Postgres.Port} -k {Path.Combine(Postgres.RootDirectory, "sock")} -c listen_addresses=127.0.0.1");

        await using var db = NpgsqlDataSource.Create(Postgres.ConnectionString(Database, maxPoolSize: 2));
        await Eventually.TrueAsync(async () => (await DeliveryLog.RowsAsync(db)).Count > 0, "the delivery to be written after the outage");
        await using var command = db.CreateCommand("SELECT status, outcome, event_keys, transaction_hashes FROM webhook_deliveries");
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal((short)202, reader.GetInt16(0));
        Assert.Equal("accepted", reader.GetString(1));
        Assert.Equal([$"{delivery.Network}/{delivery.TransactionHash}/{delivery.LogIndex}"], reader.GetFieldValue<string[]>(2));
        Assert.Equal([delivery.TransactionHash.ToLowerInvariant()], reader.GetFieldValue<string[]>(3));
        Assert.False(await reader.ReadAsync());
        // And the event itself was applied once PostgreSQL was back.
        await _host.DrainedAsync();
        Assert.Equal("Logged later", (await _host.GetJsonAsync($"api/events/{created.EventId}")).GetProperty("title").GetString());
    }

    private Task PgCtlAsync(string command, params string[] args) =>
        ExternalTool.RunAsync(Path.Combine(PostgresInstance.BinDirectory, "pg_ctl"), [command, "-D", Postgres.DataDirectory, .. args], Postgres.AsPostgresUser);
}
