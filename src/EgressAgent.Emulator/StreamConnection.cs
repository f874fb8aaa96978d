using System.Threading.Channels;

namespace EgressAgent.Emulator;

/// <summary>
/// One open <c>/stream</c> response. Senders only enqueue pre-formatted frames; the request's
/// own loop writes them, so a slow or stalled client never blocks a test calling SendEvent.
/// </summary>
internal sealed class StreamConnection
{
    private readonly Channel<string> frames = Channel.CreateUnbounded<string>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = false });

    private readonly TaskCompletionSource closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public StreamConnection(string instanceKey, bool silent)
    {
        InstanceKey = instanceKey;
        Silent = silent;
    }

    public string InstanceKey { get; }

    /// <summary>Gets a value indicating whether nothing may be written after the headers (idle-watchdog tests).</summary>
    public bool Silent { get; }

    public ChannelReader<string> Frames => frames.Reader;

    /// <summary>Gets a task that completes once the hub no longer counts this connection as open.</summary>
    public Task Closed => closed.Task;

    public void Enqueue(string frame)
    {
        if (!Silent)
        {
            frames.Writer.TryWrite(frame);
        }
    }

    /// <summary>Ends the response after the frames already queued have been written.</summary>
    public void Complete() => frames.Writer.TryComplete();

    public void MarkClosed() => closed.TrySetResult();
}
