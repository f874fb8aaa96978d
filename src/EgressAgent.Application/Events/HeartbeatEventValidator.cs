using System.Text.Json;
using FluentValidation;

namespace EgressAgent.Application.Events;

internal sealed class HeartbeatEventValidator : AbstractValidator<HeartbeatEvent>
{
    public HeartbeatEventValidator() =>
        RuleFor(e => e.Ts)
            .Must(ts => ts is null || ts.Value.ValueKind is JsonValueKind.Number or JsonValueKind.String or JsonValueKind.Null)
            .WithMessage("'ts' must be a number or a string");
}
