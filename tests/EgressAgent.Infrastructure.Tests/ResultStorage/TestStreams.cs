namespace EgressAgent.Infrastructure.Tests.ResultStorage;

/// <summary>Streams of unknown length, as a result being produced looks to an upload.</summary>
internal static class TestStreams
{
    /// <summary><paramref name="length"/> deterministic bytes.</summary>
    public static byte[] Bytes(int length, int seed = 7)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>A forward-only stream over <paramref name="bytes"/> with no length, that throws once <paramref name="failAfter"/> bytes were read.</summary>
    public static System.IO.Stream Unseekable(byte[] bytes, long failAfter = long.MaxValue) => new Forward(bytes, failAfter);

    private sealed class Forward(byte[] bytes, long failAfter) : System.IO.Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_position >= failAfter)
            {
                throw new IOException("the producer of this result failed");
            }

            var n = (int)Math.Min(Math.Min(count, bytes.Length - _position), failAfter - _position);
            Array.Copy(bytes, _position, buffer, offset, n);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
