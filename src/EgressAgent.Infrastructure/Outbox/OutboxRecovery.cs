using System.Globalization;
using EgressAgent.Application.Results;
using Microsoft.Extensions.Logging;

namespace EgressAgent.Infrastructure.Outbox;

/// <summary>The outbox's one read of the disk, at start (docs/adr/0032): what earlier processes left to deliver.</summary>
internal static class OutboxRecovery
{
    /// <summary>
    /// Reads what earlier processes left: files of their own, and segments minus their acks. A
    /// name not of the outbox's making is left alone: listed, loaded or moved, never.
    /// <paramref name="entryOf"/> makes an entry of a key and its stored creation time.
    /// </summary>
    public static Dictionary<string, OutboxIndexEntry> Read(
        string directory, string quarantine, SegmentLog segments, Func<string, DateTimeOffset, OutboxEntry> entryOf, ILogger logger)
    {
        var recovery = new Recovery(quarantine, segments, entryOf, logger);
        foreach (var path in Directory.EnumerateFiles(directory))
        {
            var name = Path.GetFileName(path);
            if (name.EndsWith(FileResultOutbox.Extension, StringComparison.Ordinal))
            {
                var key = name[..^FileResultOutbox.Extension.Length];
                if (key.Length > 20 && long.TryParse(key.AsSpan(0, 20), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks))
                {
                    var entry = entryOf(key, new DateTimeOffset(ticks, TimeSpan.Zero));
                    recovery.Index.Add(key, new OutboxIndexEntry(entry));
                }
            }
            else if (IsSegmentName(name))
            {
                try
                {
                    recovery.AddSegment(path);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // Left as it is, for a human or the next start: never deleted unread.
                    OutboxLog.UnreadableSegment(logger, path, ex.GetType().Name, ex.Message);
                }
            }
            else if (name.EndsWith(Segment.Extension + Segment.AcksExtension, StringComparison.Ordinal)
                && IsSegmentName(name[..^Segment.AcksExtension.Length]) && !File.Exists(path[..^Segment.AcksExtension.Length]))
            {
                // Its segment was deleted and a crash came before the acks went too.
                OutboxFiles.TryDelete(path);
            }
        }

        return recovery.Index;
    }

    /// <summary><c>&lt;20 digits&gt;-&lt;32 hex digits&gt;.segment</c>: the names the segment log gives.</summary>
    private static bool IsSegmentName(string name) =>
        name.Length == 20 + 1 + 32 + Segment.Extension.Length && name.EndsWith(Segment.Extension, StringComparison.Ordinal)
        && long.TryParse(name.AsSpan(0, 20), NumberStyles.None, CultureInfo.InvariantCulture, out _) && name[20] == '-'
        && Guid.TryParseExact(name.AsSpan(21, 32), "N", out _);

    /// <summary>What one start-up read has found so far.</summary>
    private sealed class Recovery(string quarantine, SegmentLog segments, Func<string, DateTimeOffset, OutboxEntry> entryOf, ILogger logger)
    {
        public Dictionary<string, OutboxIndexEntry> Index { get; } = new(StringComparer.Ordinal);

        /// <summary>A segment's records minus its acks; adopted by the log, or deleted when nothing in it is left to deliver.</summary>
        public void AddSegment(string path)
        {
            var segment = new Segment(path);
            var acks = SegmentFile.ReadAcks(segment.AcksPath);
            var bytes = File.ReadAllBytes(path);
            var corrupt = new List<long>();
            var lines = SegmentFile.Read(bytes, corrupt, out var tornTail);
            segment.Length = bytes.Length;
            if (tornTail > 0)
            {
                // An append whose sync never completed: no caller was told it was stored.
                OutboxLog.TornTail(logger, path, tornTail);
            }

            if (corrupt.Count > 0 && !TryQuarantineCopy(path, corrupt))
            {
                segment.Keep = true; // the only copy of the corrupt lines: never deleted
            }

            foreach (var line in lines)
            {
                if (acks.Contains(line.Offset))
                {
                    continue;
                }

                var entry = entryOf(FileResultOutbox.KeyOf(line.CreatedTicks, segment, line.Offset), new DateTimeOffset(line.CreatedTicks, TimeSpan.Zero));
                Index.Add(entry.Key, new OutboxIndexEntry(entry)
                {
                    Segment = segment,
                    Offset = line.Offset,
                    ResultOffset = line.ResultOffset,
                    ResultLength = line.ResultLength,
                    OperationId = line.OperationId,
                    Delivery = line.Delivery,
                });
                segment.Live++;
            }

            if (segment.Live == 0 && !segment.Keep)
            {
                // Everything in it was delivered: only the deletion was left undone.
                segment.Close(delete: true);
            }
            else
            {
                segments.Adopt(segment);
            }
        }

        /// <summary>
        /// A copy of a segment with corrupt lines in its middle, for a human to look at; its good
        /// records are still delivered from the original (docs/protocol.md §10, docs/adr/0032).
        /// </summary>
        private bool TryQuarantineCopy(string path, List<long> corrupt)
        {
            try
            {
                OutboxFiles.CreateOwnerOnlyDirectory(quarantine);
                var target = Path.Combine(quarantine, Path.GetFileName(path));
                if (File.Exists(target))
                {
                    target += $".{Guid.NewGuid():N}";
                }

                File.Copy(path, target);
                foreach (var offset in corrupt)
                {
                    OutboxLog.Quarantined(logger, $"{Path.GetFileName(path)}@{offset.ToString(CultureInfo.InvariantCulture)}", "UnexpectedLayout", target);
                }

                return true;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                OutboxLog.CannotQuarantine(logger, path, corrupt.Count, ex.GetType().Name, ex.Message);
                return false;
            }
        }
    }
}
