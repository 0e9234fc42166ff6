using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;

namespace OrleansChat.Grains.Storage;

/// <summary>Registers <see cref="FileGrainStorage"/> as a named grain storage provider.</summary>
/// <remarks>
/// Orleans 10.4 also ships a file provider (<c>Orleans.Persistence.FileStorage</c>, with an extension method of the
/// same name); it overwrites files in place, so a crash mid-write leaves a torn record. Do not import its namespace
/// next to this one: the two <c>AddFileGrainStorage</c> calls would be ambiguous.
/// </remarks>
public static class FileGrainStorageExtensions
{
    /// <summary>
    /// Keeps grain state in files under <see cref="FileGrainStorageOptions.RootDirectory"/>. <paramref name="name"/>
    /// is the storage name grains give in <c>[PersistentState(stateName, name)]</c>.
    /// </summary>
    public static ISiloBuilder AddFileGrainStorage(
        this ISiloBuilder builder, string name, Action<FileGrainStorageOptions> configure)
    {
        builder.Services.AddFileGrainStorage(name, configure);
        return builder;
    }

    internal static IServiceCollection AddFileGrainStorage(
        this IServiceCollection services, string name, Action<FileGrainStorageOptions> configure)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(configure);

        services.AddOptions<FileGrainStorageOptions>(name)
            .Configure(configure)
            .Validate(
                o => !string.IsNullOrWhiteSpace(o.RootDirectory),
                $"File grain storage '{name}': RootDirectory is required (the folder that keeps grain state files).")
            .ValidateOnStart();

        // A keyed IGrainStorage singleton, and a silo lifecycle participant since the provider is one.
        return services.AddGrainStorage(name, static (sp, key) => new FileGrainStorage(
            key,
            sp.GetRequiredService<IOptionsMonitor<FileGrainStorageOptions>>().Get(key),
            sp.GetRequiredService<Serializer>(),
            sp.GetRequiredService<IActivatorProvider>(),
            sp.GetRequiredService<ILogger<FileGrainStorage>>()));
    }
}
