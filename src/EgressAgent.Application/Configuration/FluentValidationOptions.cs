using FluentValidation;
using Microsoft.Extensions.Options;

namespace EgressAgent.Application.Configuration;

/// <summary>
/// Runs a section's FluentValidation validator when its options are first built, so
/// <c>ValidateOnStart</c> and <c>IStartupValidator</c> report its problems, every one (docs/adr/0028).
/// </summary>
internal sealed class FluentValidationOptions<T>(IValidator<T> validator) : IValidateOptions<T>
    where T : class
{
    public ValidateOptionsResult Validate(string? name, T options)
    {
        var result = validator.Validate(options);
        return result.IsValid
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(result.Errors.Select(e => e.ErrorMessage));
    }
}
