using System.Globalization;

namespace OrleansChat.Bench;

/// <summary>Where the benchmark's silo keeps room history.</summary>
public enum HistoryStorage
{
    /// <summary>In memory, as tests run the silo.</summary>
    Memory,

    /// <summary>In files, each write flushed to disk, as the embedded silo keeps it by default.</summary>
    File,
}

/// <summary>
/// What to measure: the room sizes to measure at, how many sequential appends to time at each, the storage, and how
/// many posts to a separate room come first to warm the process up.
/// </summary>
public sealed record AppendBenchOptions(IReadOnlyList<long> Sizes, int Samples, HistoryStorage Storage, int WarmUp)
{
    public static readonly AppendBenchOptions Full =
        new([1_000, 100_000, 1_000_000], 2_000, HistoryStorage.Memory, WarmUp: 20_000);

    /// <summary>A smoke run that finishes in seconds.</summary>
    public static readonly AppendBenchOptions Quick = Full with { Sizes = [100, 1_000], Samples = 200, WarmUp = 2_000 };

    public const string Usage = """
        Usage: AppendBench [--quick] [--sizes 1000,100000,1000000] [--samples 2000] [--storage memory|file]
          --quick      sizes 100,1000, 200 samples and a short warm-up (explicit --sizes/--samples still win)
          --sizes      room sizes (messages already posted) at which appends are timed, ascending
          --samples    sequential appends timed at each size
          --storage    history storage provider: memory (default) or file (a temp folder, flushed to disk)
        """;

    /// <exception cref="ArgumentException">An unknown flag or a value out of range.</exception>
    public static AppendBenchOptions Parse(IReadOnlyList<string> args)
    {
        var defaults = args.Contains("--quick") ? Quick : Full;
        IReadOnlyList<long> sizes = defaults.Sizes;
        var samples = defaults.Samples;
        var storage = defaults.Storage;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--quick":
                    break;
                case "--sizes":
                    sizes = [.. BenchArguments.ValueAfter(args, ref i).Split(',').Select(ParseSize)];
                    break;
                case "--samples":
                    samples = BenchArguments.Samples(args, ref i);
                    break;
                case "--storage":
                    storage = Enum.TryParse<HistoryStorage>(BenchArguments.ValueAfter(args, ref i), ignoreCase: true, out var s)
                        && Enum.IsDefined(s)
                            ? s
                            : throw new ArgumentException("--storage must be memory or file.");
                    break;
                default:
                    throw new ArgumentException($"Unknown argument '{args[i]}'.");
            }
        }

        if (sizes.Count == 0 || sizes.Zip(sizes.Skip(1)).Any(pair => pair.First >= pair.Second))
        {
            throw new ArgumentException("--sizes must list at least one size, in ascending order.");
        }

        return new AppendBenchOptions(sizes, samples, storage, defaults.WarmUp);
    }

    private static long ParseSize(string text) =>
        long.TryParse(text.Replace("_", ""), CultureInfo.InvariantCulture, out var size) && size >= 0
            ? size
            : throw new ArgumentException($"'{text}' is not a room size.");
}
