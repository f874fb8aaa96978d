namespace EgressAgent.Soak.Checking;

/// <summary>How one agent process ended.</summary>
internal enum LifeEnd
{
    /// <summary>Still running when the history was taken.</summary>
    Running,

    /// <summary>SIGTERM from the soak (a fault): drain, E4, exit 0 (§7).</summary>
    Sigterm,

    /// <summary>SIGKILL from the soak: no chance to do anything (§6.4).</summary>
    Killed,

    /// <summary>A <c>goodbye</c> event from the orchestrator: cancel at once, E4, exit 0 (§7).</summary>
    Goodbye,

    /// <summary>SIGTERM at the end of the soak, after the drain.</summary>
    FinalStop,

    /// <summary>Exited without the soak asking it to: a crash or a refusal (exit 1, 2 or 3).</summary>
    OnItsOwn,
}
