using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace OrleansChat.Grains.Storage;

/// <summary>
/// Keeps each grain state in a file of its own under <see cref="FileGrainStorageOptions.RootDirectory"/>, so that
/// a single-process deployment keeps its chat history across restarts. It assumes it is the only writer of its
/// folder: the ETag check is made atomic within this process, not across processes.
/// </summary>
/// <remarks>
/// <para>
/// A state lives in <c>root/ab/ab….state</c>, named by the SHA-256 of the state name and grain id. The grain key
/// never reaches a path: keys are user input (room names), and may hold <c>../</c>, separators or any Unicode.
/// </para>
/// <para>
/// A file is a <see cref="StateRecord"/>, whose version is the ETag, and is replaced through
/// <see cref="DurableFiles"/>, so a crash leaves the old record or the new one, never a mix of the two.
/// </para>
/// </remarks>
internal sealed partial class FileGrainStorage(
    string name,
    FileGrainStorageOptions options,
    Serializer serializer,
    IActivatorProvider activators,
    ILogger<FileGrainStorage> logger) : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    private const string RecordExtension = ".state";

    private readonly DurableFiles _files = new(Path.GetFullPath(options.RootDirectory), options.FlushToDisk);

    // Check-then-replace of one file must not interleave (a reentrant grain, or two activations of one grain for a
    // moment during a directory race). Striped so that unrelated grains seldom wait for each other.
    private readonly SemaphoreSlim[] _gates = [.. Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1))];

    public void Participate(ISiloLifecycle lifecycle) => lifecycle.Subscribe(
        $"{nameof(FileGrainStorage)}-{name}", ServiceLifecycleStage.ApplicationServices, PrepareAsync);

    /// <summary>
    /// Creates the root folder and removes temp files left by writes that a crash interrupted. Such a write was never
    /// acknowledged (the rename had not happened), so removing it loses nothing; the old record is still in place.
    /// </summary>
    internal Task PrepareAsync(CancellationToken cancellationToken)
    {
        _files.EnsureDirectory(_files.Root);
        var removed = _files.RemoveInterruptedWrites(cancellationToken);
        if (removed > 0)
        {
            LogRemovedTempFiles(name, removed, _files.Root);
        }

        LogStarted(name, _files.Root, options.FlushToDisk);
        return Task.CompletedTask;
    }

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ReadStateAsync(stateName, grainId, grainState, CancellationToken.None);

    public async Task ReadStateAsync<T>(
        string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        var record = Locate(stateName, grainId);
        var bytes = await DurableFiles.ReadAllAsync(record.FilePath, cancellationToken);
        if (bytes is null)
        {
            Reset(grainState);
            return;
        }

        if (StateRecord.FindFault(bytes) is { } fault)
        {
            throw Unreadable(record.FilePath, fault);
        }

        T? state;
        try
        {
            state = serializer.Deserialize<T>(StateRecord.Payload(bytes));
        }
        catch (Exception ex)
        {
            // The checksum held, so the bytes are what was written: the state type changed in an incompatible way.
            throw Unreadable(record.FilePath, $"its payload does not deserialise as {typeof(T)}", ex);
        }

        grainState.State = state ?? activators.GetActivator<T>().Create();
        grainState.ETag = FormatETag(StateRecord.Version(bytes));
        grainState.RecordExists = true;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        WriteStateAsync(stateName, grainId, grainState, CancellationToken.None);

    public async Task WriteStateAsync<T>(
        string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        var record = Locate(stateName, grainId);
        var payload = serializer.SerializeToArray(grainState.State);
        var gate = _gates[record.Stripe];
        await gate.WaitAsync(cancellationToken);
        try
        {
            var stored = await ReadVersionAsync(record.FilePath, cancellationToken);
            EnsureETagMatches("Write", stateName, grainId, grainState.ETag, stored);

            // A record created afresh (first write, or after a clear) starts from the clock rather than from 1, so an
            // ETag a stale activation kept from before a clear cannot match the new record by coincidence.
            var version = stored is { } current ? current + 1 : DateTime.UtcNow.Ticks;
            await _files.ReplaceAsync(record.FilePath, StateRecord.Encode(version, payload), cancellationToken);
            grainState.ETag = FormatETag(version);
            grainState.RecordExists = true;
        }
        finally
        {
            gate.Release();
        }
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ClearStateAsync(stateName, grainId, grainState, CancellationToken.None);

    public async Task ClearStateAsync<T>(
        string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        var record = Locate(stateName, grainId);
        var gate = _gates[record.Stripe];
        await gate.WaitAsync(cancellationToken);
        try
        {
            // Clearing a record that is already gone is allowed whatever the ETag: the outcome the caller asked for
            // holds, and there is no newer data that this could destroy.
            if (await ReadVersionAsync(record.FilePath, cancellationToken) is { } stored)
            {
                EnsureETagMatches("Clear", stateName, grainId, grainState.ETag, stored);
                await _files.DeleteAsync(record.FilePath);
            }
        }
        finally
        {
            gate.Release();
        }

        Reset(grainState);
    }

    private RecordLocation Locate(string stateName, GrainId grainId)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes($"{stateName}\n{grainId}"), hash);
        var hex = Convert.ToHexStringLower(hash);
        var path = Path.Combine(_files.Root, hex[..2], hex + RecordExtension);
        return new RecordLocation(path, hash[0] % _gates.Length);
    }

    /// <summary>The version of the record on disk, reading its header only; null when there is no record.</summary>
    private async Task<long?> ReadVersionAsync(string path, CancellationToken cancellationToken)
    {
        if (await DurableFiles.ReadStartAsync(path, StateRecord.HeaderLength, cancellationToken) is not { } read)
        {
            return null;
        }

        return StateRecord.FindHeaderFault(read.Start, read.FileLength) is { } fault
            ? throw Unreadable(path, fault)
            : StateRecord.Version(read.Start);
    }

    private void EnsureETagMatches(string operation, string stateName, GrainId grainId, string? etag, long? stored)
    {
        var storedETag = stored is { } version ? FormatETag(version) : null;
        if (string.Equals(etag, storedETag, StringComparison.Ordinal))
        {
            return;
        }

        LogETagMismatch(name, operation, stateName, grainId, etag, storedETag);
        throw new InconsistentStateException(
            $"{operation} of state '{stateName}' of {grainId} in file grain storage '{name}' was refused: the grain "
                + $"holds ETag '{etag ?? "(none)"}' but storage holds '{storedETag ?? "(none)"}'.",
            storedETag ?? "",
            etag ?? "");
    }

    private void Reset<T>(IGrainState<T> grainState)
    {
        grainState.State = activators.GetActivator<T>().Create();
        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    private InvalidDataException Unreadable(string path, string reason, Exception? inner = null)
    {
        LogUnreadable(inner, name, path, reason);
        return new InvalidDataException(
            $"Grain state file '{path}' of file grain storage '{name}' is unreadable: {reason}. The file is left as it "
                + "is; the grain cannot load until it is restored or removed.",
            inner);
    }

    private static string FormatETag(long version) => version.ToString(CultureInfo.InvariantCulture);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "File grain storage {Name} keeps state in {RootDirectory} (flush to disk: {FlushToDisk})")]
    private partial void LogStarted(string name, string rootDirectory, bool flushToDisk);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "File grain storage {Name} removed {Count} temp files of interrupted writes in {RootDirectory}")]
    private partial void LogRemovedTempFiles(string name, int count, string rootDirectory);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "File grain storage {Name} refused {Operation} of {StateName} of {GrainId}: ETag {ETag}, "
            + "stored {StoredETag}")]
    private partial void LogETagMismatch(
        string name, string operation, string stateName, GrainId grainId, string? etag, string? storedETag);

    [LoggerMessage(Level = LogLevel.Error,
        Message = "File grain storage {Name} cannot read grain state file {Path}: {Reason}")]
    private partial void LogUnreadable(Exception? exception, string name, string path, string reason);

    private readonly record struct RecordLocation(string FilePath, int Stripe);
}
