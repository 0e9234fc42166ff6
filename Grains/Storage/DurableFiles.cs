using System.Runtime.InteropServices;

namespace OrleansChat.Grains.Storage;

/// <summary>
/// Whole-file reads, replacements and deletes under <see cref="Root"/> that a crash cannot tear: a replacement is
/// written to a temp file in the same folder, flushed, and renamed over the old file, so a crash leaves the old
/// contents or the new, never a mix of the two.
/// </summary>
/// <param name="root">The folder the files live in, or in folders directly inside it.</param>
/// <param name="flushToDisk">
/// Whether changes are flushed to the disk (file and folder) before they count as done, so that they survive a crash of
/// the OS and not just of the process.
/// </param>
internal sealed class DurableFiles(string root, bool flushToDisk)
{
    private const string TempExtension = ".tmp";

    public string Root => root;

    /// <summary>The whole file; null when there is no such file.</summary>
    public static async Task<byte[]?> ReadAllAsync(string path, CancellationToken cancellationToken)
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

    /// <summary>Up to <paramref name="count"/> bytes from the start of the file, and the whole file's length.</summary>
    /// <returns>Null when there is no such file.</returns>
    public static async Task<(byte[] Start, long FileLength)?> ReadStartAsync(
        string path, int count, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = OpenForRead(path);
            var start = new byte[Math.Min(count, stream.Length)];
            await stream.ReadExactlyAsync(start, cancellationToken);
            return (start, stream.Length);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Replaces the file (or creates it, and its folder) with <paramref name="contents"/>.</summary>
    public async Task ReplaceAsync(string path, byte[] contents, CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(path)!;
        EnsureDirectory(directory);
        var temp = Path.ChangeExtension(path, $".{Guid.NewGuid():N}{TempExtension}");
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
                if (flushToDisk)
                {
                    // fsync blocks for milliseconds; keep it off the thread that runs grain turns.
                    await Task.Run(() => stream.Flush(flushToDisk: true), cancellationToken);
                }
            }

            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }

        if (flushToDisk)
        {
            // Past the rename the write has happened, so it is no longer cancellable.
            await Task.Run(() => FlushDirectory(directory), CancellationToken.None);
        }
    }

    /// <summary>Deletes the file, which must exist; not cancellable, as the delete cannot be taken back.</summary>
    public async Task DeleteAsync(string path)
    {
        File.Delete(path);
        if (flushToDisk)
        {
            await Task.Run(() => FlushDirectory(Path.GetDirectoryName(path)!), CancellationToken.None);
        }
    }

    /// <summary>Creates the folder unless it exists.</summary>
    public void EnsureDirectory(string directory)
    {
        if (Directory.Exists(directory))
        {
            return;
        }

        Directory.CreateDirectory(directory);
        if (flushToDisk && Path.GetDirectoryName(directory) is { } parent)
        {
            // The new folder's own entry has to be durable too, or a crash could take every file in it along.
            FlushDirectory(parent);
        }
    }

    /// <summary>
    /// Deletes the temp files of replacements that a crash interrupted, in the root and the folders directly inside
    /// it. Only call it before any replacement starts, as it cannot tell an interrupted one from one under way.
    /// </summary>
    /// <returns>How many were deleted.</returns>
    public int RemoveInterruptedWrites(CancellationToken cancellationToken)
    {
        var removed = 0;
        var search = new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 1 };
        foreach (var temp in Directory.EnumerateFiles(root, "*" + TempExtension, search))
        {
            cancellationToken.ThrowIfCancellationRequested();
            File.Delete(temp);
            removed++;
        }

        return removed;
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
