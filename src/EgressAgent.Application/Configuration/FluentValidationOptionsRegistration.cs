using System.Diagnostics.CodeAnalysis;
using FluentValidation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EgressAgent.Application.Configuration;

public static class FluentValidationOptionsRegistration
{
    /// <summary>
    /// The section is validated by <typeparamref name="TValidator"/> when first built, and at start
    /// (<c>IStartupValidator</c>), which lists the failures of every section together.
    /// </summary>
    /// <remarks>The annotations carry what the container and <c>ValidateOnStart</c> construct into the native build (docs/adr/0026).</remarks>
    public static OptionsBuilder<T> ValidateWithFluentValidation<
        [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] T,
        [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TValidator>(this OptionsBuilder<T> builder)
        where T : class
        where TValidator : class, IValidator<T>
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<IValidator<T>, TValidator>();
        builder.Services.AddSingleton<IValidateOptions<T>, FluentValidationOptions<T>>();
        return builder.ValidateOnStart();
    }
}
