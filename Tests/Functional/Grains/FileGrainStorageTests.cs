using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;
using Orleans.TestingHost;
using OrleansChat.Grains.Storage;

namespace OrleansChat.Tests.Functional.Grains;

/// <summary>
/// The file grain storage on its own, and under a real silo where what counts is that state outlives an activation
/// and a whole restart.
/// </summary>
public sealed class FileGrainStorageTests : IDisposable
{
    public const string StorageName = "files";
    private const string RootSetting = "FileGrainStorageTests:Root";
    private const string StateName = "log";

    private static readonly GrainId Lobby = GrainId.Create("chatroom", "lobby");

    // The store sits one level down so that a test can see nothing was written beside it.
    private readonly string _sandbox = Path.Combine(Path.GetTempPath(), "orleanschat-" + Guid.NewGuid().ToString("N"));
    private readonly ServiceProvider _services = new ServiceCollection().AddSerializer().BuildServiceProvider();

    private string Root => Path.Combine(_sandbox, "store");

    public void Dispose()
    {
        _services.Dispose();
        if (Directory.Exists(_sandbox))
        {
            Directory.Delete(_sandbox, recursive: true);
        }
    }

    [Fact]
    public async Task A_written_state_reads_back_in_a_new_provider_with_its_etag()
    {
        var written = State(Notebook("hello", "olá", "👋"));

        await Storage().WriteStateAsync(StateName, Lobby, written);
        var read = Empty();
        await Storage().ReadStateAsync(StateName, Lobby, read);

        Assert.True(written.RecordExists);
        Assert.NotNull(written.ETag);
        Assert.Equal((true, written.ETag), (read.RecordExists, read.ETag));
        Assert.Equal(3, read.State!.LastSeq);
        Assert.Equal(written.State!.Lines, read.State!.Lines);
    }

    [Fact]
    public async Task Reading_a_record_that_was_never_written_gives_the_default_state()
    {
        var read = Empty();

        await Storage().ReadStateAsync(StateName, Lobby, read);

        Assert.False(read.RecordExists);
        Assert.Null(read.ETag);
        Assert.Equal(0, read.State!.LastSeq);
        Assert.Empty(read.State!.Lines);
    }

    [Fact]
    public async Task Every_write_moves_the_etag_on()
    {
        var storage = Storage();
        var state = State(Notebook("one"));

        await storage.WriteStateAsync(StateName, Lobby, state);
        var first = state.ETag;
        await storage.WriteStateAsync(StateName, Lobby, state);

        Assert.NotEqual(first, state.ETag);
    }

    [Fact]
    public async Task A_write_from_a_stale_copy_is_refused_and_the_stored_state_kept()
    {
        var storage = Storage();
        var current = State(Notebook("kept"));
        await storage.WriteStateAsync(StateName, Lobby, current);
        var stale = State(Notebook("stale"), current.ETag);
        await storage.WriteStateAsync(StateName, Lobby, current);

        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, Lobby, stale));

        var read = Empty();
        await storage.ReadStateAsync(StateName, Lobby, read);
        Assert.Equal("kept", Assert.Single(read.State!.Lines));
        Assert.Equal(current.ETag, read.ETag);
    }

    [Fact]
    public async Task Creating_a_record_that_already_exists_is_refused()
    {
        var storage = Storage();
        await storage.WriteStateAsync(StateName, Lobby, State(Notebook("first")));

        await Assert.ThrowsAsync<InconsistentStateException>(
            () => storage.WriteStateAsync(StateName, Lobby, State(Notebook("second"))));
    }

    [Fact]
    public async Task Writing_over_a_record_that_was_cleared_meanwhile_is_refused()
    {
        var storage = Storage();
        var state = State(Notebook("one"));
        await storage.WriteStateAsync(StateName, Lobby, state);
        await storage.ClearStateAsync(StateName, Lobby, State(new NotebookTestState(), state.ETag));

        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, Lobby, state));
    }

    [Fact]
    public async Task Clearing_deletes_the_record_and_resets_the_state()
    {
        var storage = Storage();
        var state = State(Notebook("gone"));
        await storage.WriteStateAsync(StateName, Lobby, state);
        var etagBeforeClear = state.ETag;

        await storage.ClearStateAsync(StateName, Lobby, state);

        Assert.Equal((false, null), (state.RecordExists, state.ETag));
        Assert.Empty(state.State!.Lines);
        Assert.Empty(Directory.GetFiles(Root, "*", SearchOption.AllDirectories));
        var read = Empty();
        await storage.ReadStateAsync(StateName, Lobby, read);
        Assert.False(read.RecordExists);

        // Created again, the record must not reuse an ETag that a stale copy from before the clear could still hold.
        await storage.WriteStateAsync(StateName, Lobby, state);
        Assert.NotEqual(etagBeforeClear, state.ETag);
    }

    [Fact]
    public async Task Clearing_from_a_stale_copy_is_refused_and_the_record_kept()
    {
        var storage = Storage();
        var state = State(Notebook("one"));
        await storage.WriteStateAsync(StateName, Lobby, state);
        var stale = State(state.State!, state.ETag);
        await storage.WriteStateAsync(StateName, Lobby, state);

        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync(StateName, Lobby, stale));

        var read = Empty();
        await storage.ReadStateAsync(StateName, Lobby, read);
        Assert.Equal(state.ETag, read.ETag);
    }

    [Theory]
    [InlineData("../../escape")]
    [InlineData("..")]
    [InlineData("/etc/passwd")]
    [InlineData("a/b\\c:d*e?f")]
    [InlineData("Sala de café ☕ 日本語 \u0000 \n")]
    public async Task Keys_from_user_input_stay_inside_the_root(string room)
    {
        var grainId = GrainId.Create("chatroom", room);
        var storage = Storage();

        await storage.WriteStateAsync(StateName, grainId, State(Notebook(room)));
        var read = Empty();
        await storage.ReadStateAsync(StateName, grainId, read);

        Assert.Equal(room, Assert.Single(read.State!.Lines));
        Assert.Equal(new[] { Root }, Directory.GetFileSystemEntries(_sandbox));
        var file = Assert.Single(Directory.GetFiles(Root, "*", SearchOption.AllDirectories));
        var name = Path.GetFileNameWithoutExtension(file);
        Assert.Matches("^[0-9a-f]{64}$", name);
        Assert.Equal(Path.Combine(Root, name[..2], name + ".state"), file);
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("bit flipped")]
    [InlineData("empty")]
    [InlineData("not ours")]
    public async Task A_damaged_file_fails_the_read_naming_the_file_and_is_left_alone(string damage)
    {
        var storage = Storage();
        await storage.WriteStateAsync(StateName, Lobby, State(Notebook("precious")));
        var file = Assert.Single(Directory.GetFiles(Root, "*.state", SearchOption.AllDirectories));
        var bytes = await File.ReadAllBytesAsync(file);
        byte[] damaged = damage switch
        {
            "truncated" => bytes[..^7],
            "bit flipped" => [.. bytes[..^3], (byte)(bytes[^3] ^ 0x10), .. bytes[^2..]],
            "empty" => [],
            _ => "{\"lastSeq\": 1, \"recent\": [{\"text\": \"written by some other program\"}]}"u8.ToArray(),
        };
        await File.WriteAllBytesAsync(file, damaged);

        var error = await Assert.ThrowsAsync<InvalidDataException>(
            () => storage.ReadStateAsync(StateName, Lobby, Empty()));

        Assert.Contains(file, error.Message);
        Assert.Equal(damaged, await File.ReadAllBytesAsync(file));
    }

    [Fact]
    public async Task Temp_files_left_by_a_crash_do_not_disturb_reads_and_are_swept_at_start_up()
    {
        var storage = Storage();
        await storage.WriteStateAsync(StateName, Lobby, State(Notebook("committed")));
        var file = Assert.Single(Directory.GetFiles(Root, "*.state", SearchOption.AllDirectories));
        var besideRecord = Path.ChangeExtension(file, $".{Guid.NewGuid():N}.tmp");
        var aloneInFolder = Path.Combine(Root, "00", $"{new string('0', 64)}.{Guid.NewGuid():N}.tmp");
        Directory.CreateDirectory(Path.GetDirectoryName(aloneInFolder)!);
        await File.WriteAllBytesAsync(besideRecord, [1, 2, 3]);
        await File.WriteAllBytesAsync(aloneInFolder, []);

        var before = Empty();
        await storage.ReadStateAsync(StateName, Lobby, before);
        await Storage().PrepareAsync(CancellationToken.None);
        var after = Empty();
        await Storage().ReadStateAsync(StateName, Lobby, after);

        Assert.Equal("committed", Assert.Single(before.State!.Lines));
        Assert.False(File.Exists(besideRecord));
        Assert.False(File.Exists(aloneInFolder));
        Assert.Equal(before.ETag, after.ETag);
    }

    [Fact]
    public void The_provider_is_registered_under_its_name()
    {
        using var services = new ServiceCollection().AddSerializer().AddLogging()
            .AddFileGrainStorage(StorageName, o => o.RootDirectory = Root)
            .BuildServiceProvider();

        Assert.IsType<FileGrainStorage>(services.GetRequiredKeyedService<IGrainStorage>(StorageName));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void A_missing_root_directory_stops_start_up_with_a_clear_message(string? root)
    {
        using var services = new ServiceCollection().AddSerializer().AddLogging()
            .AddFileGrainStorage(StorageName, o => o.RootDirectory = root!)
            .BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(
            () => services.GetRequiredKeyedService<IGrainStorage>(StorageName));

        Assert.Contains($"File grain storage '{StorageName}': RootDirectory is required", error.Message);
    }

    [Fact]
    public async Task Grain_state_survives_deactivation()
    {
        await using var cluster = await StartClusterAsync();
        Assert.True(Directory.Exists(Root), "the provider creates its folder when the silo starts");
        var counter = cluster.Client.GetGrain<ICounterTestGrain>("lobby/../../etc");
        await counter.Increment();
        await counter.Increment();
        var activation = await counter.GetActivationId();

        await cluster.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);

        Assert.Equal(2, await counter.Get());
        Assert.NotEqual(activation, await counter.GetActivationId());
    }

    [Fact]
    public async Task Grain_state_survives_a_restart_of_the_whole_cluster()
    {
        var first = await StartClusterAsync();
        await first.Client.GetGrain<ICounterTestGrain>("café").Increment();
        await first.Client.GetGrain<ICounterTestGrain>("café").Increment();
        await first.StopAllSilosAsync();
        await first.DisposeAsync();

        await using var second = await StartClusterAsync();
        var counter = second.Client.GetGrain<ICounterTestGrain>("café");

        Assert.Equal(2, await counter.Get());
        Assert.Equal(3, await counter.Increment());
    }

    private FileGrainStorage Storage() => new(
        StorageName,
        new FileGrainStorageOptions { RootDirectory = Root },
        _services.GetRequiredService<Serializer>(),
        _services.GetRequiredService<IActivatorProvider>(),
        NullLogger<FileGrainStorage>.Instance);

    private async Task<TestCluster> StartClusterAsync()
    {
        var builder = new TestClusterBuilder(1);
        builder.Properties[RootSetting] = Root;
        builder.AddSiloBuilderConfigurator<FileStorageSilo>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    private static GrainState<NotebookTestState> Empty() => new(new NotebookTestState(), null);

    private static GrainState<NotebookTestState> State(NotebookTestState state, string? etag = null) =>
        new(state, etag);

    private static NotebookTestState Notebook(params string[] lines) =>
        new() { LastSeq = lines.Length, Lines = [.. lines] };

    private sealed class FileStorageSilo : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) => siloBuilder.AddFileGrainStorage(
            StorageName, o => o.RootDirectory = siloBuilder.Configuration[RootSetting]!);
    }
}

/// <summary>A test-only grain whose whole state is one persisted number.</summary>
public interface ICounterTestGrain : IGrainWithStringKey
{
    Task<int> Increment();

    Task<int> Get();

    /// <summary>Differs between activations, so a test can tell that state came back from storage.</summary>
    Task<Guid> GetActivationId();
}

/// <summary>A state shaped like a room's log: a counter and a list of lines.</summary>
[GenerateSerializer]
public sealed class NotebookTestState
{
    [Id(0)]
    public long LastSeq { get; set; }

    [Id(1)]
    public List<string> Lines { get; set; } = [];
}

[GenerateSerializer]
public sealed class CounterTestState
{
    [Id(0)]
    public int Value { get; set; }
}

public sealed class CounterTestGrain(
    [PersistentState("counter", FileGrainStorageTests.StorageName)] IPersistentState<CounterTestState> counter)
    : Grain, ICounterTestGrain
{
    private readonly Guid _activationId = Guid.NewGuid();

    public async Task<int> Increment()
    {
        counter.State.Value++;
        await counter.WriteStateAsync();
        return counter.State.Value;
    }

    public Task<int> Get() => Task.FromResult(counter.State.Value);

    public Task<Guid> GetActivationId() => Task.FromResult(_activationId);
}
