using System.Reflection;
using EgressAgent.ArchitectureTests.Support;
using Microsoft.Extensions.Logging;
using NetArchTest.Rules;
using Xunit.Sdk;

namespace EgressAgent.ArchitectureTests;

/// <summary>
/// The rules pass on the current code; these show that their detectors can say no, so a passing
/// rule means the property holds and not that the check is blind.
/// </summary>
public sealed class RuleDetectorTests
{
    [Fact]
    public void An_empty_selection_fails_the_rule()
    {
        Assert.Throws<TrueException>(() => Selection.NonEmpty(Array.Empty<Type>(), "samples"));
    }

    [Fact]
    public void A_violation_fails_the_rule()
    {
        Assert.Throws<TrueException>(() => Selection.NoViolations(["SampleType"], "sample rule"));
    }

    [Fact]
    public void Record_detection_tells_records_from_classes()
    {
        Assert.True(EventModel.IsRecord(typeof(PositionalSample)));
        Assert.False(EventModel.IsRecord(typeof(ClassSample)));
    }

    [Fact]
    public void Mutability_detection_flags_public_setters_and_writable_fields_but_not_init()
    {
        Assert.Empty(EventModel.MutableMembers(typeof(PositionalSample)));
        Assert.Equal(2, EventModel.MutableMembers(typeof(MutableSample)).Count);
    }

    [Fact]
    public void Required_field_detection_sees_non_optional_parameters_and_required_members()
    {
        Assert.Equal(["Name"], EventModel.RequiredFields(typeof(PositionalSample)));
        Assert.Empty(EventModel.RequiredFields(typeof(OptionalSample)));
        Assert.Equal(["Id"], EventModel.RequiredFields(typeof(RequiredMemberSample)));
    }

    [Theory]
    [InlineData(typeof(IServiceProvider))]
    [InlineData(typeof(MediatR.IMediator))]
    [InlineData(typeof(HttpClient))]
    [InlineData(typeof(IHttpClientFactory))]
    [InlineData(typeof(Refit.RefitSettings))]
    [InlineData(typeof(Lazy<IServiceProvider>))]
    public void Forbidden_constructor_dependencies_are_recognised(Type parameterType)
    {
        Assert.True(ForbiddenDependencies.IsForbidden(parameterType));
    }

    [Theory]
    [InlineData(typeof(ILogger<RuleDetectorTests>))]
    [InlineData(typeof(TimeProvider))]
    [InlineData(typeof(EgressAgent.Application.Intake.IWorkSignal))]
    public void Ports_and_logging_are_allowed_constructor_dependencies(Type parameterType)
    {
        Assert.False(ForbiddenDependencies.IsForbidden(parameterType));
    }

    [Theory]
    [InlineData("System.Runtime", true)]
    [InlineData("System.Collections", true)]
    [InlineData("System.CommandLine", false)] // a NuGet package despite its name
    [InlineData("Microsoft.CSharp", false)]
    [InlineData("MediatR", false)]
    public void Base_class_library_detection_uses_the_shared_framework(string assembly, bool isBcl)
    {
        Assert.Equal(isBcl, SharedFramework.IsBcl(new AssemblyName(assembly)));
    }

    [Fact]
    public void The_namespace_dependency_check_sees_Refit_in_Infrastructure()
    {
        // The same NetArchTest call the layer rules negate; here it must find the Refit client.
        var users = Types.InAssembly(ProductAssemblies.Infrastructure).That().HaveDependencyOn("Refit").GetTypes();
        Assert.NotEmpty(users);
    }

    private sealed record PositionalSample(string Name, int Count = 0);

    private sealed record OptionalSample(string? Name = null);

    private sealed record RequiredMemberSample
    {
        public required string Id { get; init; }
    }

    private sealed class ClassSample;

    private sealed record MutableSample
    {
        public string? Name { get; set; }

#pragma warning disable CA1051 // the sample exists to be flagged
        public int Count = 1;
#pragma warning restore CA1051
    }
}
