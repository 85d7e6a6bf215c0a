using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using HsmRaft.Samples.KeyValueStore.Node;

namespace HsmRaft.Samples.KeyValueStore.Client;

/// <summary>How to start one key-value node process.</summary>
/// <param name="Id">Node id.</param>
/// <param name="RaftUrl">Its Raft (gRPC) address.</param>
/// <param name="ApiUrl">Its HTTP API address.</param>
/// <param name="DataDirectory">Its data directory.</param>
/// <param name="Founders">The founding members (<c>--members</c>); empty for a node that joins later.</param>
/// <param name="ExtraArguments">More <c>node</c> options (timing, snapshot policy...).</param>
public sealed record NodeSpec(ulong Id, string RaftUrl, string ApiUrl, string DataDirectory, IReadOnlyList<(ulong Id, string RaftUrl)> Founders, IReadOnlyList<string> ExtraArguments)
{
    /// <summary>The arguments after the program: <c>node --id ...</c>.</summary>
    public List<string> NodeArguments()
    {
        var args = new List<string> { "node", "--id", Id.ToString(CultureInfo.InvariantCulture), "--http", ApiUrl, "--data", DataDirectory };
        if (Founders.Any(f => f.Id == Id))
        {
            args.AddRange(["--members", string.Join(",", Founders.Select(f => $"{f.Id}={f.RaftUrl}"))]);
        }
        else
        {
            args.AddRange(["--join", "--raft", RaftUrl]);
            if (Founders.Count > 0)
            {
                args.AddRange(["--members", string.Join(",", Founders.Select(f => $"{f.Id}={f.RaftUrl}"))]);
            }
        }

        args.AddRange(ExtraArguments);
        return args;
    }
}

/// <summary>
/// A key-value node running as a child process of this one (the same program, <c>node</c> command). Its output goes to a log
/// file; <see cref="WaitReadyAsync"/> completes when it prints <see cref="NodeHost.ReadyMarker"/>. <see cref="Kill"/> is SIGKILL
/// (no hand-over, no flush: a crash); <see cref="StopAsync"/> is SIGTERM (a clean stop). Its standard input stays open while this
/// process lives, and the node stops itself when it closes, so a crashed parent leaves no nodes behind.
/// </summary>
public sealed partial class NodeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private NodeProcess(NodeSpec spec, Process process, StreamWriter log)
    {
        Spec = spec;
        _process = process;
        _log = log;
    }

    /// <summary>What this process runs.</summary>
    public NodeSpec Spec { get; }

    /// <summary>The operating-system process id.</summary>
    public int Pid => _process.Id;

    /// <summary>True once the process has exited.</summary>
    public bool HasExited => _exited.Task.IsCompleted;

    /// <summary>Completes with the exit code when the process exits.</summary>
    public Task<int> Exited => _exited.Task;

    /// <summary>The file receiving the node's output.</summary>
    public required string LogFile { get; init; }

    /// <summary>Starts a node. <paramref name="wrapper"/> (e.g. <c>ip netns exec NAME</c>) is prepended to the command.</summary>
    public static NodeProcess Start(NodeSpec spec, string logFile, IReadOnlyList<string>? wrapper = null)
    {
        var (program, programArgs) = ProgramCommand();
        var command = new List<string>(wrapper ?? []) { program };
        command.AddRange(programArgs);
        command.AddRange(spec.NodeArguments());
        command.Add("--stop-when-stdin-closes");
        var start = new ProcessStartInfo(command[0], command.Skip(1))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.Environment["DOTNET_gcServer"] = "0";
        var log = new StreamWriter(logFile, append: true) { AutoFlush = true };
        log.WriteLine($"# {DateTime.Now:HH:mm:ss.fff} starting: {string.Join(' ', command)}");
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var node = new NodeProcess(spec, process, log) { LogFile = logFile };
        process.OutputDataReceived += (_, e) => node.OnOutput(e.Data);
        process.ErrorDataReceived += (_, e) => node.OnOutput(e.Data);
        process.Exited += (_, _) => node.OnExited();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return node;
    }

    /// <summary>Completes when the node serves requests; fails if it exits first or <paramref name="timeout"/> passes.</summary>
    public async Task WaitReadyAsync(TimeSpan timeout, CancellationToken ct = default)
    {
        var first = await Task.WhenAny(_ready.Task, _exited.Task).WaitAsync(timeout, ct).ConfigureAwait(false);
        if (first != _ready.Task)
        {
            throw new InvalidOperationException($"Node {Spec.Id} exited with code {await _exited.Task} before it was ready; see {LogFile}:\n{Tail()}");
        }
    }

    /// <summary>SIGKILL: the node dies at once, as in a crash (nothing is handed over or flushed).</summary>
    public void Kill()
    {
        if (!HasExited)
        {
            _process.Kill(entireProcessTree: false);
        }
    }

    /// <summary>SIGTERM, then waits for the node to exit (it hands leadership over first); SIGKILL if it takes longer than
    /// <paramref name="timeout"/>. Returns the exit code.</summary>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        if (!HasExited)
        {
            if (OperatingSystem.IsWindows())
            {
                _process.Kill();
            }
            else
            {
                _ = SendSignal(Pid, SigTerm);
            }
        }

        try
        {
            return await _exited.Task.WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Kill();
            return await _exited.Task.ConfigureAwait(false);
        }
    }

    /// <summary>The last lines of the node's log, for error messages.</summary>
    public string Tail(int lines = 20)
    {
        lock (_log)
        {
            _log.Flush();
        }

        using var reader = new FileStream(LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var all = new StreamReader(reader).ReadToEnd().Split('\n');
        return string.Join('\n', all.TakeLast(lines));
    }

    private void OnOutput(string? line)
    {
        if (line is null)
        {
            return;
        }

        if (line.StartsWith(NodeHost.ReadyMarker, StringComparison.Ordinal))
        {
            _ready.TrySetResult();
        }

        lock (_log)
        {
            _log.WriteLine(line);
        }
    }

    private void OnExited()
    {
        // Let the output pumps finish before the log closes.
        _process.WaitForExit();
        lock (_log)
        {
            _log.WriteLine($"# {DateTime.Now:HH:mm:ss.fff} exited with code {_process.ExitCode}");
        }

        _exited.TrySetResult(_process.ExitCode);
    }

    /// <summary>How to run this program again: its apphost, or <c>dotnet exec KeyValueStore.dll</c> (from tests, or when the
    /// program was itself started through the dotnet host).</summary>
    private static (string Program, List<string> Arguments) ProgramCommand()
    {
        var assembly = typeof(NodeProcess).Assembly.Location;
        return (DotnetHost(), ["exec", assembly]);
    }

    private static string DotnetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
        {
            return host;
        }

        if (Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            return self;
        }

        // .../dotnet/shared/Microsoft.NETCore.App/<version>/ -> .../dotnet/dotnet
        var root = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        var candidate = Path.Combine(root, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
        return File.Exists(candidate) ? candidate : "dotnet";
    }

    private const int SigTerm = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SendSignal(int pid, int signal);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Kill();
        await ((Task)_exited.Task).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _process.Dispose();
        lock (_log)
        {
            _log.Dispose();
        }
    }
}
