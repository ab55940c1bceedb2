using System.Text.Json;
using System.Text.Json.Nodes;
using Echain.Core.Projection;

namespace Echain.Tests.Projection;

/// <summary>The escape that lets PostgreSQL hold U+0000: reversible for every string, and invisible for every ordinary one.</summary>
public sealed class PgTextTests
{
    [Theory]
    [InlineData("plain title", "plain title")]
    [InlineData("A\0B", "A\uFFFF0B")]
    [InlineData("\0", "\uFFFF0")]
    [InlineData("\uFFFF", "\uFFFF\uFFFF")]
    [InlineData("\uFFFF0", "\uFFFF\uFFFF0")]
    [InlineData("\0\uFFFF\0", "\uFFFF0\uFFFF\uFFFF\uFFFF0")]
    public void Stored_form_has_no_U0000_and_reads_back_the_original(string original, string stored)
    {
        Assert.Equal(stored, PgText.Store(original));
        Assert.DoesNotContain('\0', PgText.Store(original));
        Assert.Equal(original, PgText.Read(PgText.Store(original)));
    }

    [Fact]
    public void Every_mix_of_the_two_characters_round_trips()
    {
        var alphabet = new[] { '\0', '\uFFFF', '0', 'a' };
        for (var n = 0; n < 4 * 4 * 4 * 4 * 4; n++)
        {
            var chars = new char[5];
            for (int i = 0, k = n; i < 5; i++, k /= 4) chars[i] = alphabet[k % 4];
            var s = new string(chars);
            Assert.Equal(s, PgText.Read(PgText.Store(s)));
        }
    }

    [Fact]
    public void Jsonb_escapes_every_string_and_reads_back_the_original()
    {
        var value = new Dictionary<string, object?> { ["title"] = "A\0B", ["nested"] = new[] { "x\uFFFFy", "ok" }, ["n\0ame"] = 1 };
        var stored = PgText.Jsonb(value, JsonSerializerOptions.Web);
        Assert.DoesNotContain("\\u0000", stored);
        // PostgreSQL hands jsonb back with U+FFFF as the character itself.
        var asPostgresReturnsIt = JsonNode.Parse(stored)!.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        var read = JsonNode.Parse(PgText.ReadJsonb(asPostgresReturnsIt))!.AsObject();
        Assert.Equal("A\0B", read["title"]!.GetValue<string>());
        Assert.Equal("x\uFFFFy", read["nested"]![0]!.GetValue<string>());
        Assert.True(read.ContainsKey("n\0ame"));
    }

    [Fact]
    public void Ordinary_json_is_stored_as_it_is()
    {
        var value = new Dictionary<string, string> { ["title"] = "Concert 🎫", ["x"] = "\\u0000 is just text here" };
        var json = JsonSerializer.Serialize(value, JsonSerializerOptions.Web);
        Assert.Equal(JsonNode.Parse(json)!.ToJsonString(), JsonNode.Parse(PgText.Jsonb(value, JsonSerializerOptions.Web))!.ToJsonString());
    }
}
