using System.Diagnostics;
using System.Text.Json.Nodes;
using EgressAgent.Application.Configuration;
using EgressAgent.Application.Lifecycle;
using EgressAgent.Emulator;
using EgressAgent.Host.Composition;
using EgressAgent.Infrastructure.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EgressAgent.Host.Commands;

internal sealed record DemoSample(string Label, string Path, JsonObject Operation, bool Oversized = false);
