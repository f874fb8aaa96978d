using FluentValidation;

namespace EgressAgent.Application.Execution;

public sealed class NetworkOptionsValidator : AbstractValidator<NetworkOptions>
{
    public NetworkOptionsValidator()
    {
        RuleFor(o => o.BlockedCidrs)
            .Custom((list, context) =>
            {
                foreach (var problem in CidrList.Problems(list))
                {
                    context.AddFailure($"EgressAgent:Network:BlockedCidrs: {problem}.");
                }
            });
        RuleFor(o => o.OutboundIpUrl)
            .Must(url => Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) && uri.Host.Length > 0)
            .WithMessage("EgressAgent:Network:OutboundIpUrl must be an absolute http or https URL.");
        RuleFor(o => o.OutboundIpUrl)
            .Must(url => !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp)
            .When(o => o.RequireHttps)
            .WithMessage("EgressAgent:Network:OutboundIpUrl must be https while EgressAgent:Network:RequireHttps is true.");
    }
}
