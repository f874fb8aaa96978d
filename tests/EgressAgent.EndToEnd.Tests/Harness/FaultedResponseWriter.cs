namespace EgressAgent.EndToEnd.Tests.Harness;

/// <summary>
/// Writes a response to the client the way its <see cref="ProxyFault"/> says: whole, dripped, or
/// up to a byte budget after which the relay stops (the proxy then stalls or resets).
/// </summary>
internal sealed class FaultedResponseWriter(Stream client, ProxyFault fault, CancellationToken cancellationToken)
{
    private long _bodyBudget = fault.Bytes;

    /// <summary>False once the fault has cut the response: nothing more may be relayed.</summary>
    public async Task<bool> WriteHeadAsync(ReadOnlyMemory<byte> head)
    {
        await WriteAsync(head);
        return fault.Kind is not (ProxyFaultKind.Stall or ProxyFaultKind.Reset) || _bodyBudget > 0;
    }

    /// <inheritdoc cref="WriteHeadAsync"/>
    public async Task<bool> WriteBodyAsync(ReadOnlyMemory<byte> chunk)
    {
        if (chunk.IsEmpty)
        {
            return true;
        }

        if (fault.Kind is not (ProxyFaultKind.Stall or ProxyFaultKind.Reset))
        {
            await WriteAsync(chunk);
            return true;
        }

        var allowed = (int)Math.Min(chunk.Length, _bodyBudget);
        await WriteAsync(chunk[..allowed]);
        _bodyBudget -= allowed;
        return _bodyBudget > 0;
    }

    private async Task WriteAsync(ReadOnlyMemory<byte> bytes)
    {
        if (fault.Kind != ProxyFaultKind.Drip)
        {
            await client.WriteAsync(bytes, cancellationToken);
            await client.FlushAsync(cancellationToken);
            return;
        }

        for (var offset = 0; offset < bytes.Length; offset += fault.Bytes)
        {
            await client.WriteAsync(bytes.Slice(offset, Math.Min(fault.Bytes, bytes.Length - offset)), cancellationToken);
            await client.FlushAsync(cancellationToken);
            await Task.Delay(fault.Interval, cancellationToken);
        }
    }
}
