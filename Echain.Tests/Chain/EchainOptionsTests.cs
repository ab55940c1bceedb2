using Echain.Core;

namespace Echain.Tests.Chain;

/// <summary>A configured contract that is not an address would silently match nothing: the start-up validation names it.</summary>
public sealed class EchainOptionsTests
{
    [Fact]
    public void Addresses_in_any_case_are_valid()
    {
        var options = new EchainOptions
        {
            TicketContracts = ["0x5FbDB2315678afecb367f032d93F642f64180aa3"],
            PaymentTokens = [" 0x833589fcd6edb6e08f4c7c32d4f71b54bda02913 "],
        };
        Assert.True(options.HasValidAddresses(out var error));
        Assert.Null(error);
    }

    [Theory]
    [InlineData("", "Echain:PaymentTokens:1")]
    [InlineData("0x833589fcd6edb6e08f4c7c32d4f71b54bda0291", "Echain:PaymentTokens:1")]
    [InlineData("usdc", "Echain:PaymentTokens:1")]
    public void A_typo_is_refused_with_the_setting_that_holds_it(string bad, string setting)
    {
        var options = new EchainOptions { PaymentTokens = ["0x833589fcd6edb6e08f4c7c32d4f71b54bda02913", bad] };
        Assert.False(options.HasValidAddresses(out var error));
        Assert.StartsWith(setting, error);
    }
}
