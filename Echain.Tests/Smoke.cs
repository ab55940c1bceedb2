namespace Echain.Tests; public sealed class Smoke { [Fact] public void Runs() => Assert.True(1 + 1 == 2); }
