using System.Globalization;

namespace OrleansChat.Bench;

/// <summary>
/// What to measure: the room sizes (members already in the room), how many join-and-leave pairs to time at each,
/// and how many pairs on a room of its own come first to warm the process up.
/// </summary>
public sealed record MembershipBenchOptions(IReadOnlyList<int> Sizes, int Samples, int WarmUp)
{
    /// <summary>The room limit the benchmark's silo runs with: the most <c>ChatRoomOptions</c> accepts.</summary>
    public const int MaxMembersPerRoom = 1_000_000;

    public static readonly MembershipBenchOptions Full = new([100, 1_000, 10_000, 100_000], 2_000, WarmUp: 5_000);

    /// <summary>A smoke run that finishes in seconds.</summary>
    public static readonly MembershipBenchOptions Quick = Full with { Sizes = [100, 1_000], Samples = 200, WarmUp = 500 };

    public const string Usage = """
        Usage: MembershipBench [--quick] [--sizes 100,1000,10000,100000] [--samples 2000]
          --quick      sizes 100,1000, 200 samples and a short warm-up (explicit --sizes/--samples still win)
          --sizes      room sizes (members already joined) at which joins and leaves are timed, ascending
          --samples    join-then-leave pairs timed one after another at each size
        """;

    /// <exception cref="ArgumentException">An unknown flag or a value out of range.</exception>
    public static MembershipBenchOptions Parse(IReadOnlyList<string> args)
    {
        var defaults = args.Contains("--quick") ? Quick : Full;
        IReadOnlyList<int> sizes = defaults.Sizes;
        var samples = defaults.Samples;
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
                default:
                    throw new ArgumentException($"Unknown argument '{args[i]}'.");
            }
        }

        if (sizes.Count == 0 || sizes.Zip(sizes.Skip(1)).Any(pair => pair.First >= pair.Second))
        {
            throw new ArgumentException("--sizes must list at least one size, in ascending order.");
        }

        return new MembershipBenchOptions(sizes, samples, defaults.WarmUp);
    }

    private static int ParseSize(string text) =>
        int.TryParse(text, NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var size)
        && size is >= 0 and < MaxMembersPerRoom
            ? size
            : throw new ArgumentException($"Size '{text}' must be a whole number from 0 to {MaxMembersPerRoom - 1:N0}.");
}
