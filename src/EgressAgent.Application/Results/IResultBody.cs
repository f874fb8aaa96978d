namespace EgressAgent.Application.Results;

/// <summary>
/// A stored result's JSON, as UTF-8 bytes: the value of <c>result</c> in an E2 body. Read as a
/// stream each time it is sent, so a large result is never held whole in memory (docs/adr/0009).
/// </summary>
public interface IResultBody
{
    /// <summary>The number of bytes <see cref="CopyToAsync"/> writes.</summary>
    long Length { get; }

    /// <summary>Writes the bytes to <paramref name="destination"/>; may be called once per attempt.</summary>
    Task CopyToAsync(Stream destination, CancellationToken cancellationToken);
}
