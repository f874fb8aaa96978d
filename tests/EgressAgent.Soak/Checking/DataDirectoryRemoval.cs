namespace EgressAgent.Soak.Checking;

/// <summary>The soak removed slot <paramref name="Slot"/>'s data directory; the removal was over at <paramref name="Done"/>.</summary>
internal sealed record DataDirectoryRemoval(int Slot, DateTimeOffset Done);
