using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using OrleansChat.Tests.Support;
using OrleansChat.WebFront.Protocol;

namespace OrleansChat.Tests.Functional.Front;

/// <summary>
/// Two connections reaching for one session at the same moment: the same nickname registered twice, and a resume
/// racing the old connection's close. Each race runs many rounds, so both orders happen.
/// </summary>
public sealed class SessionRaceTests(ChatFrontFactory front) : IClassFixture<ChatFrontFactory>
{
    private const int Rounds = 20;

    private readonly string _tag = Guid.NewGuid().ToString("N")[..6];

    private string Nick(string name) => $"{name}{_tag}";

    [Fact]
    public async Task The_same_nickname_registered_at_once_goes_to_exactly_one_connection()
    {
        await using var observer = await RegisteredAsync(Nick("obs"));
        for (var round = 0; round < Rounds; round++)
        {
            var nickname = Nick($"n{round}-");
            await using var first = await front.ConnectAsync();
            await using var second = await front.ConnectAsync();

            var attempts = new[] { first.RegisterAsync(nickname), second.RegisterAsync(nickname) };
            await Task.WhenAll(attempts.Select(a => a.ContinueWith(_ => { }, TaskScheduler.Default)));

            var winner = Assert.Single(attempts, a => a.IsCompletedSuccessfully);
            var loser = Assert.Single(attempts, a => a.IsFaulted);
            Assert.EndsWith(ChatErrors.NicknameTaken, Assert.IsType<HubException>(loser.Exception!.InnerException).Message);
            var (won, lost) = winner == attempts[0] ? (first, second) : (second, first);
            Assert.Equal(nickname, (await winner).GetProperty("nickname").GetString());

            // Nothing of the lost claim stays behind: its connection registers anew, and the winner's session works.
            var other = Nick($"m{round}-");
            Assert.Equal(other, (await lost.RegisterAsync(other)).GetProperty("nickname").GetString());
            await won.SendAsync($"won {round}");
            var seen = await observer.EventsUntilMessageAsync($"won {round}");
            Assert.Single(seen, e => e.IsPresence(nickname, "joined"));
            Assert.DoesNotContain(seen, e => e.IsPresence(nickname, "left"));
        }
    }

    [Fact]
    public async Task Resume_racing_the_old_connections_drop_never_ends_the_session()
    {
        await using var bia = await RegisteredAsync(Nick("bia"));
        for (var round = 0; round < Rounds; round++)
        {
            var nickname = Nick($"a{round}-");
            await using var proxy = new TcpProxy(front.BaseAddress);
            var old = await front.ConnectAsync(proxy.Address);
            var token = (await old.RegisterAsync(nickname)).GetProperty("resumeToken").GetString();
            await bia.Events.FirstAsync(e => e.IsPresence(nickname, "joined"));
            await using var again = await front.ConnectAsync();

            var resume = again.Connection.InvokeAsync<JsonElement>("Resume", token, null);
            proxy.DropAll();

            Assert.Equal(nickname, (await resume).GetProperty("nickname").GetString());
            await SessionGoesOnAsync(again, bia, nickname, $"round {round}");
            await old.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_clean_close_racing_a_resume_either_ends_the_session_or_leaves_it_whole()
    {
        await using var bia = await RegisteredAsync(Nick("bia"));
        var outcomes = new List<bool>();
        for (var round = 0; round < Rounds; round++)
        {
            var nickname = Nick($"c{round}-");
            var old = await front.ConnectAsync();
            var token = (await old.RegisterAsync(nickname)).GetProperty("resumeToken").GetString();
            await bia.Events.FirstAsync(e => e.IsPresence(nickname, "joined"));
            await using var again = await front.ConnectAsync();

            var resume = again.Connection.InvokeAsync<JsonElement>("Resume", token, null);
            var stop = old.Connection.StopAsync();
            await Task.WhenAll(resume.ContinueWith(_ => { }, TaskScheduler.Default), stop);
            await old.DisposeAsync();

            if (resume.IsCompletedSuccessfully)
            {
                // The resume came first: the close was of a connection that no longer held the session.
                await SessionGoesOnAsync(again, bia, nickname, $"round {round}");
            }
            else
            {
                // The close came first: the user left, the leave was announced, and the token is spent.
                Assert.EndsWith(ChatErrors.SessionExpired, Assert.IsType<HubException>(resume.Exception!.InnerException).Message);
                await bia.Events.FirstAsync(e => e.IsPresence(nickname, "left"));
            }

            outcomes.Add(resume.IsCompletedSuccessfully);
        }

        Assert.Contains(true, outcomes);
    }

    /// <summary>
    /// After every other connection of the session is gone from the front (its close handled, the nickname grain told),
    /// the session still posts, and the room saw neither a leave nor a second join.
    /// </summary>
    private async Task SessionGoesOnAsync(ChatClient session, ChatClient observer, string nickname, string because)
    {
        await front.OnlyOpenAsync(2);
        var text = $"still here {Guid.NewGuid():N}";
        await session.SendAsync(text);
        var seen = await observer.EventsUntilMessageAsync(text);
        Assert.True(
            !seen.Any(e => e.IsPresence(nickname, "left") || e.IsPresence(nickname, "joined")),
            $"{because}: the room saw {nickname} leave or join again");
        Assert.Equal(nickname, seen[^1].Broadcast!.Value.GetProperty("nickname").GetString());
    }

    private async Task<ChatClient> RegisteredAsync(string nickname)
    {
        var client = await front.ConnectAsync();
        await client.RegisterAsync(nickname);
        return client;
    }
}
