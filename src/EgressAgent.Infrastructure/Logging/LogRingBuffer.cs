namespace EgressAgent.Infrastructure.Logging;

/// <summary>
/// The most recent log records, in memory, bounded: once full, each new record replaces the
/// oldest. Written from every thread that logs, so one short lock guards it.
/// </summary>
internal sealed class LogRingBuffer
{
    public const int DefaultCapacity = 5_000;

    private readonly LogRecord?[] _records;
    private readonly Lock _lock = new();
    private long _written;

    public LogRingBuffer()
        : this(DefaultCapacity)
    {
    }

    public LogRingBuffer(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _records = new LogRecord?[capacity];
    }

    public int Capacity => _records.Length;

    public void Add(LogRecord record)
    {
        lock (_lock)
        {
            _records[_written % _records.Length] = record;
            _written++;
        }
    }

    /// <summary>The last <paramref name="limit"/> records (at most), oldest first.</summary>
    public IReadOnlyList<LogRecord> Latest(int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        lock (_lock)
        {
            var count = (int)Math.Min(Math.Min(limit, _records.Length), _written);
            var latest = new LogRecord[count];
            for (var i = 0; i < count; i++)
            {
                latest[i] = _records[(_written - count + i) % _records.Length]!;
            }

            return latest;
        }
    }
}
