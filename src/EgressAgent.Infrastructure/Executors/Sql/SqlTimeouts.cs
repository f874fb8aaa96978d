namespace EgressAgent.Infrastructure.Executors.Sql;

internal static class SqlTimeouts
{
    /// <summary>Drivers take whole seconds; round up so the driver never gives up before the agent.</summary>
    public static int WholeSeconds(TimeSpan timeout) => (int)Math.Ceiling(timeout.TotalSeconds);
}
