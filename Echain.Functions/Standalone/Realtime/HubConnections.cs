using System.Collections.Concurrent;

namespace Echain.Functions.Standalone.Realtime;

/// <summary>
/// Which connections this instance's hub has fully registered. SignalR answers the client's handshake
/// before it adds the connection to its lifetime manager, so a client that joins a group right after
/// start() can race it, and a group add for an unregistered connection is silently dropped. The group
/// endpoints wait here first. <see cref="EchainHub.OnConnectedAsync"/> runs after the registration.
/// </summary>
/// <param name="backplane">With the Redis backplane a connection may live on another instance, which the
/// backplane reaches: joins then wait only briefly and go ahead for an id unknown here.</param>
public sealed class HubConnections(bool backplane)
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _connections = new(StringComparer.Ordinal);

    /// <summary>Whether a join for a connection unknown here may still go ahead (another instance may own it).</summary>
    public bool MayBeElsewhere => backplane;

    /// <summary>How long a join waits for this instance to register the connection.</summary>
    public TimeSpan JoinWait { get; } = backplane ? TimeSpan.FromMilliseconds(250) : TimeSpan.FromSeconds(2);

    public void Connected(string connectionId) => Entry(connectionId).TrySetResult();

    public void Disconnected(string connectionId) => _connections.TryRemove(connectionId, out _);

    /// <summary>True once the connection is registered here; false if it is not within <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitUntilConnectedAsync(string connectionId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var entry = Entry(connectionId);
        try
        {
            await entry.Task.WaitAsync(timeout, cancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            // Unknown here (a typo, a closed connection, or one on another instance): forget the wait.
            _connections.TryRemove(KeyValuePair.Create(connectionId, entry));
            return false;
        }
    }

    private TaskCompletionSource Entry(string connectionId) =>
        _connections.GetOrAdd(connectionId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}
