using Echain.Core.Realtime;

namespace Echain.Tests.Infrastructure;

/// <summary>For a test of the processor alone: keeps what it was asked to publish, in order (the hub is not its subject).</summary>
public sealed class RecordingPublisher : IRealtimePublisher
{
    private readonly List<RealtimeMessage> _messages = [];
    public IReadOnlyList<RealtimeMessage> Messages { get { lock (_messages) return _messages.ToArray(); } }

    public Task PublishAsync(IReadOnlyList<RealtimeMessage> messages, CancellationToken cancellationToken)
    {
        lock (_messages) _messages.AddRange(messages);
        return Task.CompletedTask;
    }
}
