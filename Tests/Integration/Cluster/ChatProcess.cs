using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace OrleansChat.Tests.Integration.Cluster;

/// <summary>
/// A real process started by a system test (redis-server, a silo, a front), with its output kept for diagnosis.
/// Every one is killed when the test process exits, whatever happened, so a failing test never leaks processes.
/// </summary>
public sealed class ChatProcess : IAsyncDisposable
{
    private static readonly List<Process> Running = [];
    private readonly StringBuilder _output = new();
    private readonly Process _process;

    static ChatProcess() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        lock (Running)
        {
            foreach (var process in Running)
            {
                KillQuietly(process);
            }
        }
    };

    private ChatProcess(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    public string Name { get; }

    public bool HasExited => _process.HasExited;

    public int Id => _process.Id;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static ChatProcess Start(string name, string fileName, IEnumerable<string> arguments, string workingDirectory, IDictionary<string, string> environment)
    {
        var info = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var started = new ChatProcess(name, process);
        process.OutputDataReceived += (_, e) => started.Append(e.Data);
        process.ErrorDataReceived += (_, e) => started.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        lock (Running)
        {
            Running.Add(process);
        }

        return started;
    }

    /// <summary>SIGKILL: the process dies on the spot, as in a crash.</summary>
    public void Kill() => KillQuietly(_process);

    /// <summary>SIGTERM: the process is asked to shut down gracefully.</summary>
    public void Terminate() => SendSignal(_process.Id, 15);

    /// <summary>SIGSTOP / SIGCONT: freezes and thaws the process.</summary>
    public void Pause() => SendSignal(_process.Id, 19);

    public void Resume() => SendSignal(_process.Id, 18);

    public Task WaitForExitAsync(TimeSpan timeout) => _process.WaitForExitAsync().WaitAsync(timeout);

    public async ValueTask DisposeAsync()
    {
        Kill();
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }, TaskScheduler.Default);
        lock (Running)
        {
            Running.Remove(_process);
        }

        _process.Dispose();
    }

    private static void KillQuietly(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
        }
    }

    private static void SendSignal(int pid, int signal)
    {
        if (Kill(pid, signal) != 0)
        {
            throw new InvalidOperationException($"kill({pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
