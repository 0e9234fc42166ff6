using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
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
/// A file is a 52-byte header (magic, format, version, payload length, SHA-256 checksum) and then the state as
/// Orleans serialises it. The version is the ETag. A write goes to a temp file in the same folder, is flushed, and
/// is renamed over the old file, so a crash leaves the old record or the new one, never a mix of the two.
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
    private const string TempExtension = ".tmp";
    private const ushort FormatVersion = 1;

    // Header, little-endian: magic (4) | format (2) | reserved (2) | version (8) | payload length (4) | checksum (32).
    private const int FormatOffset = 4;
    private const int VersionOffset = 8;
    private const int LengthOffset = 16;
    private const int ChecksumOffset = 20;
    private const int HeaderLength = ChecksumOffset + SHA256.HashSizeInBytes;

    private static ReadOnlySpan<byte> Magic => "OCGS"u8;

    private readonly string _root = Path.GetFullPath(options.RootDirectory);

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
        if (!Directory.Exists(_root))
        {
            Directory.CreateDirectory(_root);
            if (options.FlushToDisk && Path.GetDirectoryName(_root) is { } parent)
            {
                FlushDirectory(parent);
            }
        }

        var removed = 0;
        var search = new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 1 };
        foreach (var temp in Directory.EnumerateFiles(_root, "*" + TempExtension, search))
        {
            cancellationToken.ThrowIfCancellationRequested();
            File.Delete(temp);
            removed++;
        }

        if (removed > 0)
        {
            LogRemovedTempFiles(name, removed, _root);
        }

        LogStarted(name, _root, options.FlushToDisk);
        return Task.CompletedTask;
    }

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ReadStateAsync(stateName, grainId, grainState, CancellationToken.None);

    public async Task ReadStateAsync<T>(
        string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        var record = Locate(stateName, grainId);
        var bytes = await ReadRecordAsync(record.FilePath, cancellationToken);
        if (bytes is null)
        {
            Reset(grainState);
            return;
        }

        var version = CheckRecord(record.FilePath, bytes);
        T? state;
        try
        {
            state = serializer.Deserialize<T>(bytes.AsMemory(HeaderLength));
        }
        catch (Exception ex)
        {
            // The checksum held, so the bytes are what was written: the state type changed in an incompatible way.
            throw Unreadable(record.FilePath, $"its payload does not deserialise as {typeof(T)}", ex);
        }

        grainState.State = state ?? activators.GetActivator<T>().Create();
        grainState.ETag = FormatETag(version);
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
            await ReplaceAsync(record, Encode(version, payload), cancellationToken);
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
                File.Delete(record.FilePath);
                if (options.FlushToDisk)
                {
                    await Task.Run(() => FlushDirectory(record.Directory), CancellationToken.None);
                }
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
        var directory = Path.Combine(_root, hex[..2]);
        return new RecordLocation(directory, Path.Combine(directory, hex + RecordExtension), hash[0] % _gates.Length);
    }

    private static async Task<byte[]?> ReadRecordAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = OpenForRead(path);
            var bytes = new byte[stream.Length];
            await stream.ReadExactlyAsync(bytes, cancellationToken);
            return bytes;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>The version of the record on disk, reading its header only; null when there is no record.</summary>
    private async Task<long?> ReadVersionAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = OpenForRead(path);
            var header = new byte[Math.Min(HeaderLength, stream.Length)];
            await stream.ReadExactlyAsync(header, cancellationToken);
            return CheckHeader(path, header, stream.Length);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    // Share.Delete lets a writer rename over the file while it is being read, on Windows too.
    private static FileStream OpenForRead(string path) => new(path, new FileStreamOptions
    {
        Mode = FileMode.Open,
        Access = FileAccess.Read,
        Share = FileShare.Read | FileShare.Delete,
        Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
        BufferSize = 0,
    });

    /// <summary>Checks a whole record, checksum included, and returns its version.</summary>
    private long CheckRecord(string path, byte[] record)
    {
        var version = CheckHeader(path, record, record.Length);
        Span<byte> checksum = stackalloc byte[SHA256.HashSizeInBytes];
        ComputeChecksum(record, checksum);
        if (!checksum.SequenceEqual(record.AsSpan(ChecksumOffset, SHA256.HashSizeInBytes)))
        {
            throw Unreadable(path, "its checksum does not match its contents");
        }

        return version;
    }

    /// <summary>Checks what the header alone can tell (format, and that the file is as long as it says).</summary>
    private long CheckHeader(string path, ReadOnlySpan<byte> record, long fileLength)
    {
        if (fileLength < HeaderLength)
        {
            throw Unreadable(path, $"it is {fileLength} bytes long, shorter than the {HeaderLength}-byte header");
        }

        if (!record[..Magic.Length].SequenceEqual(Magic))
        {
            throw Unreadable(path, "it does not start with the grain state file marker");
        }

        var format = BinaryPrimitives.ReadUInt16LittleEndian(record[FormatOffset..]);
        if (format != FormatVersion)
        {
            throw Unreadable(path, $"it is in format {format}, and this build reads format {FormatVersion}");
        }

        var payloadLength = BinaryPrimitives.ReadInt32LittleEndian(record[LengthOffset..]);
        if (payloadLength != fileLength - HeaderLength)
        {
            throw Unreadable(
                path, $"its header announces {payloadLength} bytes of state but {fileLength - HeaderLength} follow");
        }

        return BinaryPrimitives.ReadInt64LittleEndian(record[VersionOffset..]);
    }

    private static byte[] Encode(long version, byte[] payload)
    {
        var record = new byte[HeaderLength + payload.Length];
        Magic.CopyTo(record);
        BinaryPrimitives.WriteUInt16LittleEndian(record.AsSpan(FormatOffset), FormatVersion);
        BinaryPrimitives.WriteInt64LittleEndian(record.AsSpan(VersionOffset), version);
        BinaryPrimitives.WriteInt32LittleEndian(record.AsSpan(LengthOffset), payload.Length);
        payload.CopyTo(record, HeaderLength);
        ComputeChecksum(record, record.AsSpan(ChecksumOffset, SHA256.HashSizeInBytes));
        return record;
    }

    /// <summary>SHA-256 of everything but the checksum itself: the header before it, and the payload.</summary>
    private static void ComputeChecksum(ReadOnlySpan<byte> record, Span<byte> destination)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(record[..ChecksumOffset]);
        hash.AppendData(record[HeaderLength..]);
        hash.GetHashAndReset(destination);
    }

    private async Task ReplaceAsync(RecordLocation record, byte[] contents, CancellationToken cancellationToken)
    {
        EnsureDirectory(record.Directory);
        var temp = Path.ChangeExtension(record.FilePath, $".{Guid.NewGuid():N}{TempExtension}");
        try
        {
            await using (var stream = new FileStream(temp, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                Options = FileOptions.Asynchronous,
                BufferSize = 0,
            }))
            {
                await stream.WriteAsync(contents, cancellationToken);
                if (options.FlushToDisk)
                {
                    // fsync blocks for milliseconds; keep it off the thread that runs grain turns.
                    await Task.Run(() => stream.Flush(flushToDisk: true), cancellationToken);
                }
            }

            File.Move(temp, record.FilePath, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }

        if (options.FlushToDisk)
        {
            // Past the rename the write has happened, so it is no longer cancellable.
            await Task.Run(() => FlushDirectory(record.Directory), CancellationToken.None);
        }
    }

    private void EnsureDirectory(string directory)
    {
        if (Directory.Exists(directory))
        {
            return;
        }

        Directory.CreateDirectory(directory);
        if (options.FlushToDisk)
        {
            // The new folder's own entry has to be durable too, or a crash could take every file in it along.
            FlushDirectory(_root);
        }
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

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Left for the start-up sweep; the original failure is the one worth reporting.
        }
    }

    /// <summary>
    /// fsync of a folder is what makes a rename or a delete in it durable on Linux; flushing the file only covers its
    /// contents. Windows cannot open a folder for this, and NTFS journals the rename itself.
    /// </summary>
    private static void FlushDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var descriptor = Posix.Open(directory, Posix.ReadOnly);
        if (descriptor < 0)
        {
            throw new IOException(
                $"Could not open folder '{directory}' to flush it to disk (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            // EINVAL: the file system has nothing to flush for folders (some network and virtual file systems).
            if (Posix.FSync(descriptor) != 0 && Marshal.GetLastPInvokeError() != Posix.InvalidArgument)
            {
                throw new IOException(
                    $"Could not flush folder '{directory}' to disk (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = Posix.Close(descriptor);
        }
    }

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

    private readonly record struct RecordLocation(string Directory, string FilePath, int Stripe);

    private static class Posix
    {
        public const int ReadOnly = 0;
        public const int InvalidArgument = 22;

        [DllImport("libc", EntryPoint = "open", SetLastError = true)]
        public static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

        [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
        public static extern int FSync(int descriptor);

        [DllImport("libc", EntryPoint = "close", SetLastError = true)]
        public static extern int Close(int descriptor);
    }
}
