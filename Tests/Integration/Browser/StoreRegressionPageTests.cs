using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using OrleansChat.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace OrleansChat.Tests.Integration.Browser;

/// <summary>The page when a room's history store comes back older than what the page already shows.</summary>
[Collection(BrowserCollection.Name)]
public sealed class StoreRegressionPageTests(BrowserFixture browser) : IDisposable
{
    private readonly string _tag = Guid.NewGuid().ToString("N")[..6];
    private readonly string _backup = Path.Combine(Path.GetTempPath(), "orleanschat-backup-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_backup))
        {
            Directory.Delete(_backup, recursive: true);
        }
    }

    [Fact]
    public async Task The_page_keeps_what_it_shows_says_history_went_back_and_shows_every_later_message_once()
    {
        var room = $"restore-{_tag}";
        await using var page = await browser.OpenAsync();
        await page.JoinAsync($"ana-{_tag}");
        await page.JoinRoomAsync(room);
        await using var bia = await browser.Front.ConnectAsync();
        await bia.RegisterAsync($"bia-{_tag}");
        await bia.JoinRoomAsync(room);
        await SendAsync(bia, room, "kept", 3);
        await Expect(page.Message($"kept-2-{_tag}")).ToBeVisibleAsync();
        var before = Snapshot(browser.Front.DataPath);
        await SendAsync(bia, room, "lost", 3);
        await Expect(page.Message($"lost-2-{_tag}")).ToBeVisibleAsync();

        // Only what changed since the copy goes back: the other tests' rooms in this front are left as they are.
        RestoreChangedSince(before, browser.Front.DataPath);
        await browser.Front.Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0)
            .ForceActivationCollection(TimeSpan.Zero);
        await SendAsync(bia, room, "after", 3);

        await Expect(page.Message($"after-2-{_tag}")).ToBeVisibleAsync();
        await Expect(page.Notices.Filter(new() { HasText = "went back to an earlier copy" })).ToHaveCountAsync(1);
        Assert.Equal(
            [.. Texts("kept"), .. Texts("lost"), .. Texts("after")],
            (await page.MessageTextsAsync()).Where(t => t.EndsWith(_tag, StringComparison.Ordinal)));
        await page.AssertCleanAsync();
    }

    private IEnumerable<string> Texts(string label) => Enumerable.Range(0, 3).Select(i => $"{label}-{i}-{_tag}");

    private async Task SendAsync(ChatClient sender, string room, string label, int count)
    {
        foreach (var text in Texts(label).Take(count))
        {
            await sender.SendToRoomAsync(room, text);
        }
    }

    /// <summary>Copies the store's files aside; returns each file's last write time, to tell what changed later.</summary>
    private Dictionary<string, DateTime> Snapshot(string dataPath)
    {
        var files = new Dictionary<string, DateTime>();
        foreach (var file in Directory.EnumerateFiles(dataPath, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(dataPath, file);
            var copy = Path.Combine(_backup, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
            files[relative] = File.GetLastWriteTimeUtc(file);
        }

        return files;
    }

    private void RestoreChangedSince(Dictionary<string, DateTime> before, string dataPath)
    {
        foreach (var file in Directory.EnumerateFiles(dataPath, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(dataPath, file);
            if (!before.ContainsKey(relative))
            {
                File.Delete(file);
            }
            else if (File.GetLastWriteTimeUtc(file) != before[relative])
            {
                File.Copy(Path.Combine(_backup, relative), file, overwrite: true);
            }
        }
    }
}
