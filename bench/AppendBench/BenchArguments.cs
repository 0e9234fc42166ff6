using System.Globalization;

namespace OrleansChat.Bench;

/// <summary>The command-line pieces every benchmark's options parse the same way.</summary>
public static class BenchArguments
{
    /// <summary>The value after the flag at <paramref name="i"/>, moving past it.</summary>
    public static string ValueAfter(IReadOnlyList<string> args, ref int i) =>
        ++i < args.Count ? args[i] : throw new ArgumentException($"{args[i - 1]} needs a value.");

    /// <summary>The value of <c>--samples</c>: how many operations are timed at each size.</summary>
    public static int Samples(IReadOnlyList<string> args, ref int i) =>
        int.TryParse(ValueAfter(args, ref i), CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new ArgumentException("--samples must be a positive whole number.");
}
