using System.Net;

namespace EgressAgent.Infrastructure.Network;

/// <summary>
/// A host resolved once and every one of its addresses allowed: the only addresses a check may
/// connect to for it (a second lookup is what a DNS rebinding would answer differently).
/// </summary>
internal sealed record CheckedDestination(string Host, IReadOnlyList<IPAddress> Addresses);
