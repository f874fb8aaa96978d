namespace EgressAgent.Application.Connectors;

/// <summary>A self-hosted secret as read: where it came from (safe to show: "environment variable DB_CREDS") and its text (never shown).</summary>
public sealed record SelfHostedSecret(string Origin, string Text)
{
    public override string ToString() => $"SelfHostedSecret {{ Origin = {Origin}, Text = (redacted) }}";
}
