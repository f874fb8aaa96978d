using System.Net;

namespace EgressAgent.Infrastructure.Network;

/// <summary>A range of addresses no network check may connect to, and why, for the refusal's message.</summary>
internal sealed record BlockedRange(IPNetwork Network, string Why)
{
    public bool Contains(IPAddress address) => Network.Contains(address);

    public override string ToString() => $"{Network} ({Why})";
}
