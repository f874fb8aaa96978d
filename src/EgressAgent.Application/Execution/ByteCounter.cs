using System.Buffers;

namespace EgressAgent.Application.Execution;

/// <summary>A buffer writer that only counts: what is written is dropped, one scratch buffer is reused.</summary>
internal sealed class ByteCounter : IBufferWriter<byte>
{
    private byte[] _scratch = new byte[4096];

    public long Count { get; private set; }

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Count += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0) => Scratch(sizeHint);

    public Span<byte> GetSpan(int sizeHint = 0) => Scratch(sizeHint);

    private byte[] Scratch(int sizeHint)
    {
        if (sizeHint > _scratch.Length)
        {
            _scratch = new byte[sizeHint];
        }

        return _scratch;
    }
}
