using HsmRaft.Hosting;
using HsmRaft.Samples.KeyValueStore.Store;
using Microsoft.Extensions.Options;

namespace HsmRaft.Samples.KeyValueStore.Node;

/// <summary>
/// One key-value node: a web application whose Raft node comes from <c>AddRaft&lt;KvStateMachine&gt;()</c> (file storage and
/// the gRPC transport on the Raft address) and whose HTTP API listens on its own port. SIGTERM or Ctrl+C stops the host, and the
/// Raft hosted service hands leadership over before the node closes.
/// </summary>
public static class NodeHost
{
    /// <summary>Printed on standard output once the node serves requests; the demo and the tests wait for it.</summary>
    public const string ReadyMarker = "KV-NODE-READY";

    /// <summary>Runs a node until the process is asked to stop. Returns the exit code.</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        NodeCommandLine.Parsed parsed;
        try
        {
            parsed = NodeCommandLine.Parse(args);
        }
        catch (FormatException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return 2;
        }

        if (parsed.Help)
        {
            Console.WriteLine(NodeCommandLine.Usage);
            return 0;
        }

        try
        {
            await using var app = Build(parsed);
            app.Lifetime.ApplicationStarted.Register(() =>
            {
                var o = app.Services.GetRequiredService<IOptions<RaftHostingOptions>>().Value;
                Console.WriteLine($"{ReadyMarker} id={o.NodeId} http={app.Services.GetRequiredService<IOptions<KvServiceOptions>>().Value.Http}");
            });
            if (parsed.StopWhenStdinCloses)
            {
                _ = Task.Run(async () =>
                {
                    // Blocks until the parent closes the pipe (or dies); then stop as on SIGTERM.
                    await Console.OpenStandardInput().CopyToAsync(Stream.Null);
                    app.Lifetime.StopApplication();
                });
            }

            await app.RunAsync();
            return 0;
        }
        catch (OptionsValidationException e)
        {
            await Console.Error.WriteLineAsync("Invalid configuration:\n  " + string.Join("\n  ", e.Failures));
            return 2;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or RaftException or FormatException)
        {
            await Console.Error.WriteLineAsync($"The node could not start: {e.Message}");
            return 1;
        }
    }

    private static WebApplication Build(NodeCommandLine.Parsed parsed)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = [.. parsed.PassThrough],
            ContentRootPath = AppContext.BaseDirectory,
        });
        foreach (var file in parsed.ConfigFiles)
        {
            builder.Configuration.AddJsonFile(Path.GetFullPath(file), optional: false);
        }

        builder.Configuration.AddInMemoryCollection(parsed.Settings);
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });

        // A failed start is reported once, as a readable message (RunAsync); not also as the host's stack trace.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);

        var services = builder.Services;
        services.AddOptions<KvServiceOptions>().BindConfiguration(KvServiceOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<KvServiceOptions>, KvServiceOptions.Validator>();
        services.AddRaft<KvStateMachine>();
        services.AddSingleton<StatusWatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<StatusWatcher>());
        services.AddSingleton<LeaderGate>();
        services.AddSingleton<NodeStatusBuilder>();
        services.AddHealthChecks().AddRaftHealthCheck();
        services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(15));

        if (builder.Configuration[$"{KvServiceOptions.SectionName}:Http"] is { Length: > 0 } url && Uri.IsWellFormedUriString(url, UriKind.Absolute))
        {
            builder.WebHost.UseUrls(url);
        }

        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = KvCommand.MaxValueBytes + (64 * 1024));

        var app = builder.Build();
        app.MapKvEndpoints();
        app.MapAdminEndpoints();
        app.MapHealthChecks("/health");
        return app;
    }
}
