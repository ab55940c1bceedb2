using Echain.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Echain.Tests.Web;

/// <summary>
/// "Sign in with wallet" in headless Chromium: an injected EIP-1193 provider answers like a browser wallet
/// (lowercase account, hex chain id, personal_sign of hex UTF-8) and signs with a test key through Nethereum.
/// </summary>
[Trait("Category", "Web")]
public sealed class SignInPageTests(WebAppFixture app, ITestOutputHelper output) : IClassFixture<WebAppFixture>
{
    static SignInPageTests() => SetDefaultExpectTimeout(20_000);

    private void Log(string line)
    {
        try { output.WriteLine(line); } catch (InvalidOperationException) { /* the test has finished */ }
    }

    /// <summary>window.ethereum backed by <paramref name="wallet"/>: the page never sees the key, only signatures.</summary>
    private static async Task InjectWalletAsync(IPage page, SignInWallet wallet, List<string> signed)
    {
        await page.ExposeFunctionAsync<string, string>("echainTestSign", text =>
        {
            lock (signed) signed.Add(text);
            return wallet.Sign(text);
        });
        await page.AddInitScriptAsync($$"""
            window.ethereum = {
              async request({ method, params }) {
                switch (method) {
                  case "eth_requestAccounts":
                  case "eth_accounts": return ["{{wallet.UserId}}"];
                  case "eth_chainId": return "0x{{Echain.LocalServices.AnvilOptions.ChainId:x}}";
                  case "personal_sign": {
                    if (params[1] !== "{{wallet.UserId}}") throw new Error("personal_sign for another account");
                    const bytes = new Uint8Array(params[0].slice(2).match(/../g).map((b) => parseInt(b, 16)));
                    return await window.echainTestSign(new TextDecoder().decode(bytes));
                  }
                  default: throw new Error(`unsupported ${method}`);
                }
              },
            };
            """);
    }

    [Fact]
    public async Task Signing_in_with_a_wallet_shows_that_wallets_own_messages_live()
    {
        var wallet = new SignInWallet();
        var signed = new List<string>();
        var page = await app.OpenAsync($"wallets/{wallet.UserId}", Log, p => InjectWalletAsync(p, wallet, signed));
        await Expect(page.Locator("#usdc-balance")).ToHaveTextAsync("0 USDC");
        await Expect(page.Locator("#connection")).ToHaveAttributeAsync("data-state", "connected");

        await page.Locator("#signin-button").ClickAsync();
        await Expect(page.Locator("#signed-in-as")).ToHaveAttributeAsync("data-user-id", wallet.UserId);
        // Announced once the realtime connection was restarted with the user token.
        await Expect(page.Locator("#wallet-messages-hint")).ToContainTextAsync("Signed in as this wallet");
        await Expect(page.Locator("#connection")).ToHaveAttributeAsync("data-state", "connected");
        var message = Assert.Single(signed);
        Assert.StartsWith($"{app.BaseUrl.Authority} wants you to sign in with your Ethereum account:\n{wallet.Address}\n", message);

        // A payment to a wallet with no tickets joins no event group: only a user message can tell this page.
        var payer = await app.Ledger.NewWalletAsync();
        await app.SendAsync(await app.Ledger.FundAsync(payer, 7_000_000));
        await app.SendAsync(await app.Ledger.PayUsdcAsync(payer, wallet.UserId, 7_000_000));
        await Expect(page.Locator("#wallet-messages li[data-kind='balance-updated']")).ToContainTextAsync("Balance now 7 USDC");
        await Expect(page.Locator("#usdc-balance")).ToHaveTextAsync("7 USDC");

        // A reload keeps the tab's sign-in (sessionStorage) and connects as the wallet straight away.
        await page.ReloadAsync();
        await Expect(page.Locator("#signed-in-as")).ToHaveAttributeAsync("data-user-id", wallet.UserId);
        await Expect(page.Locator("#connection")).ToHaveAttributeAsync("data-state", "connected");
        await app.SendAsync(await app.Ledger.FundAsync(payer, 5_000_000));
        await app.SendAsync(await app.Ledger.PayUsdcAsync(payer, wallet.UserId, 5_000_000));
        await Expect(page.Locator("#wallet-messages li[data-kind='balance-updated']")).ToContainTextAsync("Balance now 12 USDC");
        await Expect(page.Locator("#usdc-balance")).ToHaveTextAsync("12 USDC");
        await page.CloseAsync();
    }

    [Fact]
    public async Task Without_a_wallet_there_is_no_sign_in_button_and_the_page_works_anonymously()
    {
        var page = await app.OpenAsync($"wallets/{TestLedger.RandomAddress()}", Log);
        await Expect(page.Locator("#connection")).ToHaveAttributeAsync("data-state", "connected");
        await Expect(page.Locator("#usdc-balance")).ToHaveTextAsync("0 USDC");
        await Expect(page.Locator("#signin-button")).ToHaveCountAsync(0);
        await page.CloseAsync();
    }
}
