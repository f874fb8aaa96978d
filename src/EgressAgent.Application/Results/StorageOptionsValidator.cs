using FluentValidation;

namespace EgressAgent.Application.Results;

public sealed class StorageOptionsValidator : AbstractValidator<StorageOptions>
{
    public StorageOptionsValidator() =>
        RuleFor(o => o.DataDirectory)
            .NotEmpty().WithMessage("EgressAgent:Storage:DataDirectory must not be empty.");
}
