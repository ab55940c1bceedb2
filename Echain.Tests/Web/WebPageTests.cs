using System.Globalization;
using System.Numerics;
using System.Text.RegularExpressions;
using Echain.Demo.Chain;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Echain.Tests.Web;

/// <summary>
/// The page in headless Chromium against the real app: transactions on a node, their signed CDP deliveries in, DOM out. Every wait is
/// Playwright's auto-waiting expect on the DOM; nothing sleeps and nothing asserts on timing.
/// </summary>
[Trait("Category", "Web")]
public sealed class WebPageTests(WebAppFixture app, ITestOutputHelper output) : IClassFixture<WebAppFixture>
{
    static WebPageTests() => SetDefaultExpectTimeout(20_000);

    private void Log(string line)
    {
        try { output.WriteLine(line); } catch (InvalidOperationException) { /* the test has finished */ }
    }

    private static readonly DateTimeOffset Start = DateTimeOffset.UtcNow.AddDays(30);

    private async Task<BigInteger> CreateEventAsync(string title, int maxTickets = 100)
    {
        var created = await app.Ledger.CreateEventAsync(app.Organizer, title, "An evening of live music on Base.",
            Start, Start.AddHours(4), maxTickets, 25_000_000);
        await app.SendAsync(created.Deliveries);
        return created.EventId;
    }

    /// <summary>A purchase on chain, delivered to the page's app; the contract's token id.</summary>
    private async Task<BigInteger> BuyAsync(BigInteger eventId, EchainWallet buyer, string type = "General")
    {
        var purchase = await app.Ledger.BuyAsync(buyer, eventId, type);
        await app.SendAsync(purchase.Deliveries);
        return purchase.TokenId;
    }

    private async Task<BigInteger> BuyAsNewFanAsync(BigInteger eventId) => await BuyAsync(eventId, await app.Ledger.NewWalletAsync());

    [Fact]
    public async Task Event_page_shows_the_projected_state_and_follows_webhooks_live()
    {
        var eventId = await CreateEventAsync("Base Camp Live");
        var alice = await app.Ledger.NewWalletAsync();
        var bob = await app.Ledger.NewWalletAsync();
        await app.SendAsync(await app.Ledger.FundAsync(alice, 100_000_000));
        var first = await BuyAsync(eventId, alice, "VIP");
        await BuyAsync(eventId, alice);
        await app.WaitForSoldAsync(eventId, 2);

        var page = await app.OpenAsync($"events/{eventId}", Log);
        await Expect(page.Locator("#event-title")).ToHaveTextAsync("Base Camp Live");
        await Expect(page.Locator("#sold-count")).ToHaveTextAsync("2");
        await Expect(page.Locator("#max-tickets")).ToHaveTextAsync("100");
        await Expect(page.Locator("#available-count")).ToHaveTextAsync("98");
        await Expect(page.Locator("#ticket-price")).ToHaveTextAsync("25 USDC");
        await Expect(page.Locator("#sales-progress")).ToHaveAttributeAsync("value", "2");
        await Expect(page.Locator("#tickets-table tbody tr")).ToHaveCountAsync(2);
        await Expect(page.Locator("#connection")).ToHaveAttributeAsync("data-state", "connected");
        await Expect(page.Locator("#connection")).ToContainTextAsync("connected");

        // A purchase arrives as a signed webhook: count, bar and feed change without a reload.
        var sent = System.Diagnostics.Stopwatch.StartNew(); // includes the three transactions on the node
        var third = await BuyAsync(eventId, bob, "Balcony");
        await Expect(page.Locator("#sold-count")).ToHaveTextAsync("3");
        // Reported, not asserted (timed assertions flake on shared machines): the "within a second".
        Log($"webhooks posted -> sold count updated in the page: {sent.Elapsed.TotalMilliseconds:F0} ms");
        await Expect(page.Locator("#available-count")).ToHaveTextAsync("97");
        await Expect(page.Locator("#sales-progress")).ToHaveAttributeAsync("value", "3");
        await Expect(page.Locator($"#tickets-table tr[data-token-id='{third}']")).ToContainTextAsync("Balcony");
        await Expect(page.Locator("#activity-feed li[data-kind='purchase']").First).ToContainTextAsync($"Ticket #{third} bought by");

        // A resale and a check-in: the owner column and the feed follow.
        await app.SendAsync(await app.Ledger.FundAsync(bob, 30_000_000));
        await app.SendAsync((await app.Ledger.ResellAsync(alice, bob, first, 30_000_000)).Deliveries);
        await Expect(page.Locator($"#tickets-table tr[data-token-id='{first}'] .owner a"))
            .ToHaveAttributeAsync("title", bob.Address);
        await Expect(page.Locator("#activity-feed li[data-kind='transfer']").First).ToContainTextAsync($"Ticket #{first} moved from");
        var checkIn = await app.Ledger.CheckInAsync(app.Organizer, third);
        await app.SendAsync(checkIn);
        await Expect(page.Locator($"#tickets-table tr[data-token-id='{third}']")).ToContainTextAsync("Checked in");
        await Expect(page.Locator("#activity-feed li[data-kind='checkin']").First).ToContainTextAsync($"Ticket #{third} checked in");
        // Feed times are block times (the node's clock), shown relative to now.
        var newest = page.Locator("#activity-feed li time").First;
        await Expect(newest).ToHaveTextAsync(new Regex("^(just now|\\d+ seconds? ago|\\d+ minutes? ago)$"));
        Assert.Equal(DateTimeOffset.Parse(checkIn.Single(a => a.EventName == "TicketUsed").Timestamp, CultureInfo.InvariantCulture),
            DateTimeOffset.Parse((await newest.GetAttributeAsync("datetime"))!, CultureInfo.InvariantCulture));

        // A fresh load shows the history at once, newest first: the feed no longer starts empty.
        var reloaded = await app.OpenAsync($"events/{eventId}", Log);
        var kinds = reloaded.Locator("#activity-feed li");
        await Expect(kinds).ToHaveCountAsync(8); // 3 × (mint, purchase), the resale, the check-in
        await Expect(kinds.First).ToContainTextAsync($"Ticket #{third} checked in");
        await Expect(kinds.Nth(1)).ToContainTextAsync($"Ticket #{first} moved from");
        await Expect(kinds.Nth(2)).ToContainTextAsync($"Ticket #{third} bought by");
        await Expect(kinds.Nth(3)).ToContainTextAsync($"Ticket #{third} minted to");
        await Expect(reloaded.Locator("#activity-feed")).ToHaveAttributeAsync("aria-live", "polite");
        await Expect(reloaded.Locator("#activity-feed")).Not.ToContainTextAsync("while you were offline");
        await reloaded.CloseAsync();

        var screenshot = Path.Combine(AppContext.BaseDirectory, "artifacts", "event-page.png");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
        output.WriteLine($"screenshot: {screenshot}");
        Console.WriteLine($"Echain event page screenshot: {screenshot}");
        await page.CloseAsync();
    }

    [Fact]
    public async Task Event_page_shows_reconnecting_then_recovers_with_the_changes_made_while_offline()
    {
        var eventId = await CreateEventAsync("Restart Rave", maxTickets: 10);
        await BuyAsNewFanAsync(eventId);
        await app.WaitForSoldAsync(eventId, 1);
        // Every message of those deliveries out before the page opens: none may trigger a refetch as the server stops.
        await app.DrainedAsync();

        var page = await app.OpenAsync($"events/{eventId}", Log);
        await Expect(page.Locator("#sold-count")).ToHaveTextAsync("1");
        await Expect(page.Locator("#connection")).ToHaveAttributeAsync("data-state", "connected");

        // Bought on chain now; only its delivery lands while the page's server is down (the window stays short).
        var missed = await app.Ledger.BuyAsync(await app.Ledger.NewWalletAsync(), eventId, "Late");
        await app.RestartAsync(async () =>
        {
            await Expect(page.Locator("#connection")).ToContainTextAsync("Reconnecting");
            // While the page's server is down another instance (same Postgres/Redis) applies a purchase.
            await app.WithOtherInstanceAsync(async other =>
            {
                await app.SendAsync(other, missed.Deliveries);
                await app.WaitForSoldAsync(eventId, 2, other);
            });
            await Expect(page.Locator("#sold-count")).ToHaveTextAsync("1");
        });

        await Expect(page.Locator("#connection")).ToHaveAttributeAsync("data-state", "connected", new() { Timeout = 60_000 });
        await Expect(page.Locator("#sold-count")).ToHaveTextAsync("2");
        await Expect(page.Locator("#sales-progress")).ToHaveAttributeAsync("value", "2");
        await Expect(page.Locator($"#tickets-table tr[data-token-id='{missed.TokenId}']")).ToContainTextAsync("Late");
        await Expect(page.Locator("#activity-feed li").First).ToContainTextAsync("while you were offline");

        // And it is live again: a message after the restart still lands (the group was rejoined).
        await BuyAsNewFanAsync(eventId);
        await Expect(page.Locator("#sold-count")).ToHaveTextAsync("3");
        await page.CloseAsync();
    }

    [Fact]
    public async Task Wallet_pages_show_a_transfer_on_both_wallets()
    {
        var eventId = await CreateEventAsync("Wallet Week");
        var seller = await app.Ledger.NewWalletAsync();
        var buyer = await app.Ledger.NewWalletAsync();
        await app.SendAsync(await app.Ledger.FundAsync(seller, 50_000_000));
        await app.SendAsync(await app.Ledger.FundAsync(buyer, 80_000_000));
        var tokenId = await BuyAsync(eventId, seller, "VIP");
        await app.WaitForSoldAsync(eventId, 1);

        var sellerPage = await app.OpenAsync($"wallets/{seller.Address}", Log);
        await Expect(sellerPage.Locator("#usdc-balance")).ToHaveTextAsync("25 USDC");
        await Expect(sellerPage.Locator($"#wallet-ticket-list li[data-token-id='{tokenId}']")).ToContainTextAsync("Wallet Week");
        await Expect(sellerPage.Locator("#connection")).ToHaveAttributeAsync("data-state", "connected");

        // Resale: the buyer pays 30 USDC and the ticket moves; the seller's open page follows live. An anonymous page
        // refetches on the ticket's message only (the payment sends none to it): the payment is applied first, as its
        // block came first, so the refetch the transfer causes shows both.
        var resale = await app.Ledger.ResellAsync(seller, buyer, tokenId, 30_000_000);
        await app.SendAsync(resale.Payment);
        await app.WaitForUsdcAsync(seller.Address, "55000000");
        await app.SendAsync(resale.Transfer);
        await Expect(sellerPage.Locator("#wallet-tickets")).ToContainTextAsync("This wallet holds no tickets.");
        await Expect(sellerPage.Locator("#usdc-balance")).ToHaveTextAsync("55 USDC");
        await Expect(sellerPage.Locator("#transactions-table")).ToContainTextAsync($"Ticket #{tokenId}");

        var buyerPage = await app.OpenAsync($"wallets/{buyer.Address}", Log);
        await Expect(buyerPage.Locator($"#wallet-ticket-list li[data-token-id='{tokenId}']")).ToContainTextAsync("Wallet Week");
        await Expect(buyerPage.Locator("#usdc-balance")).ToHaveTextAsync("50 USDC");
        await Expect(buyerPage.Locator("#transactions-table")).ToContainTextAsync($"Ticket #{tokenId}");
        await sellerPage.CloseAsync();
        await buyerPage.CloseAsync();
    }

    [Fact]
    public async Task Wallet_page_shows_each_tickets_generated_image_and_the_image_opened_directly_shows_its_check_in()
    {
        const string title = "Image & <Night>";
        var eventId = await CreateEventAsync(title);
        var fan = await app.Ledger.NewWalletAsync();
        var tokenId = await BuyAsync(eventId, fan, "Balcony");
        await app.WaitForSoldAsync(eventId, 1);

        var page = await app.OpenAsync($"wallets/{fan.Address}", Log);
        var image = page.Locator($"#wallet-ticket-list li[data-token-id='{tokenId}'] img.ticket-image");
        await Expect(image).ToHaveAttributeAsync("alt", $"Ticket #{tokenId} for {title} (valid)");
        // Chromium fetched and decoded the SVG: a broken image is complete too, but has no natural size.
        await Expect(image).ToHaveJSPropertyAsync("complete", true);
        await Expect(image).ToHaveJSPropertyAsync("naturalWidth", 600);
        await Expect(image).ToHaveJSPropertyAsync("naturalHeight", 400);

        // Opened directly, the SVG is a document of its own: its texts are the title (escaped, so still text) and the state.
        var direct = await app.Browser.NewPageAsync();
        var imageUrl = new Uri(app.BaseUrl, $"api/tickets/{tokenId}/image.svg").ToString();
        var response = await direct.GotoAsync(imageUrl);
        Assert.Equal("image/svg+xml", response!.Headers["content-type"]);
        await Expect(direct.Locator("svg > text").First).ToHaveTextAsync(title);
        await Expect(direct.Locator("svg")).ToHaveAttributeAsync("data-status", "valid");
        await Expect(direct.Locator("svg > text").Last).ToHaveTextAsync("VALID");

        await app.SendAsync(await app.Ledger.CheckInAsync(app.Organizer, tokenId));
        await app.DrainedAsync();
        await direct.GotoAsync(imageUrl);
        await Expect(direct.Locator("svg")).ToHaveAttributeAsync("data-status", "used");
        await Expect(direct.Locator("svg > text").Last).ToHaveTextAsync("USED");
        await direct.CloseAsync();
        await page.CloseAsync();
    }

    [Fact]
    public async Task Pages_work_under_the_functions_mount_and_the_home_page_links_events()
    {
        var eventId = await CreateEventAsync("Mounted Matinee");
        await app.WaitForSoldAsync(eventId, 0);

        var home = await app.OpenAsync("", Log);
        var link = home.GetByRole(AriaRole.Link, new() { Name = "Mounted Matinee" });
        await Expect(link).ToHaveAttributeAsync("href", new Uri(app.BaseUrl, $"events/{eventId}").ToString());

        // Under the Functions host the same shell is forwarded from /api/web/…: assets and API resolve from its base.
        var mounted = await app.OpenAsync($"api/web/events/{eventId}", Log);
        await Expect(mounted.Locator("#event-title")).ToHaveTextAsync("Mounted Matinee");
        await Expect(mounted.Locator("#connection")).ToHaveAttributeAsync("data-state", "connected");
        await Expect(mounted.Locator("a.brand")).ToHaveAttributeAsync("href", "./");
        await BuyAsNewFanAsync(eventId);
        await Expect(mounted.Locator("#sold-count")).ToHaveTextAsync("1");
        await home.CloseAsync();
        await mounted.CloseAsync();
    }
}
