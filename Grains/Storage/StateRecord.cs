using System.Buffers.Binary;
using System.Security.Cryptography;

namespace OrleansChat.Grains.Storage;

/// <summary>
/// The on-disk form of one grain state: a 52-byte header (magic, format, version, payload length, SHA-256 checksum)
/// and then the state as Orleans serialises it. The version is the ETag.
/// </summary>
/// <remarks>
/// The checks return why a record is unusable rather than throw, so that the storage that owns the file can name it
/// and its provider in the error.
/// </remarks>
internal static class StateRecord
{
    private const ushort FormatVersion = 1;

    // Header, little-endian: magic (4) | format (2) | reserved (2) | version (8) | payload length (4) | checksum (32).
    private const int FormatOffset = 4;
    private const int VersionOffset = 8;
    private const int LengthOffset = 16;
    private const int ChecksumOffset = 20;

    public const int HeaderLength = ChecksumOffset + SHA256.HashSizeInBytes;

    private static ReadOnlySpan<byte> Magic => "OCGS"u8;

    public static byte[] Encode(long version, byte[] payload)
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

    /// <summary>The version of a record whose header has passed <see cref="FindHeaderFault"/>.</summary>
    public static long Version(ReadOnlySpan<byte> record) =>
        BinaryPrimitives.ReadInt64LittleEndian(record[VersionOffset..]);

    /// <summary>The serialised state of a record that has passed <see cref="FindFault"/>.</summary>
    public static ReadOnlyMemory<byte> Payload(byte[] record) => record.AsMemory(HeaderLength);

    /// <summary>Checks a whole record, checksum included.</summary>
    /// <returns>Why the record is unreadable, or null when it is sound.</returns>
    public static string? FindFault(ReadOnlySpan<byte> record)
    {
        if (FindHeaderFault(record, record.Length) is { } fault)
        {
            return fault;
        }

        Span<byte> checksum = stackalloc byte[SHA256.HashSizeInBytes];
        ComputeChecksum(record, checksum);
        return checksum.SequenceEqual(record.Slice(ChecksumOffset, SHA256.HashSizeInBytes))
            ? null
            : "its checksum does not match its contents";
    }

    /// <summary>
    /// Checks what the header alone can tell (format, and that the file is as long as it says), so that an ETag check
    /// need not read the whole state.
    /// </summary>
    /// <param name="start">The start of the file: the header, or all of the file if it is shorter.</param>
    /// <param name="fileLength">The length of the whole file.</param>
    /// <returns>Why the record is unreadable, or null when its header is sound.</returns>
    public static string? FindHeaderFault(ReadOnlySpan<byte> start, long fileLength)
    {
        if (fileLength < HeaderLength)
        {
            return $"it is {fileLength} bytes long, shorter than the {HeaderLength}-byte header";
        }

        if (!start[..Magic.Length].SequenceEqual(Magic))
        {
            return "it does not start with the grain state file marker";
        }

        var format = BinaryPrimitives.ReadUInt16LittleEndian(start[FormatOffset..]);
        if (format != FormatVersion)
        {
            return $"it is in format {format}, and this build reads format {FormatVersion}";
        }

        var payloadLength = BinaryPrimitives.ReadInt32LittleEndian(start[LengthOffset..]);
        return payloadLength == fileLength - HeaderLength
            ? null
            : $"its header announces {payloadLength} bytes of state but {fileLength - HeaderLength} follow";
    }

    /// <summary>SHA-256 of everything but the checksum itself: the header before it, and the payload.</summary>
    private static void ComputeChecksum(ReadOnlySpan<byte> record, Span<byte> destination)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(record[..ChecksumOffset]);
        hash.AppendData(record[HeaderLength..]);
        hash.GetHashAndReset(destination);
    }
}
