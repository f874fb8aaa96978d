using Microsoft.AspNetCore.Http;

namespace EgressAgent.Emulator;

/// <summary>Splits traffic between the admin API and the agent API under the path prefix.</summary>
internal sealed class RequestDispatcher
{
    private static readonly PathString AdminBase = new("/admin");

    private readonly EmulatorState state;
    private readonly AgentEndpoints agent;
    private readonly AdminEndpoints admin;

    public RequestDispatcher(EmulatorState state, AgentEndpoints agent, AdminEndpoints admin)
    {
        this.state = state;
        this.agent = agent;
        this.admin = admin;
    }

    public Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path;
        if (path.StartsWithSegments(AdminBase, StringComparison.Ordinal, out var adminPath))
        {
            return admin.HandleAsync(context, adminPath);
        }

        if (path.StartsWithSegments(state.PathPrefix, StringComparison.Ordinal, out var agentPath))
        {
            return agent.HandleAsync(context, agentPath);
        }

        // Not recorded: a request that lost the base URL's path never reached the agent API,
        // and counting it would let a test waiting for e.g. "/stream" pass for the wrong reason.
        state.Log("outside the path prefix, answered 404: " + context.Request.Method + " " + path.Value);
        return HttpJson.WriteErrorAsync(
            context.Response,
            StatusCodes.Status404NotFound,
            "not found (outside the path prefix " + state.PathPrefix.Value + ")",
            context.RequestAborted);
    }
}
