using System.Reflection;
using Microsoft.AspNetCore.SignalR;
using OrleansChat.WebFront.Hubs;
using OrleansChat.WebFront.Protocol;

namespace OrleansChat.Tests.Unit.Protocol;

/// <summary>
/// docs/protocol.md is the contract clients are written against: every hub method, every event and every error text the
/// code has must be in it, the error texts word for word.
/// </summary>
public sealed class ProtocolDocumentTests
{
    private static readonly string Document = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docs", "protocol.md"));

    public static TheoryData<string> Methods() =>
        [.. typeof(ChatHub).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => !m.IsSpecialName && m.DeclaringType == typeof(ChatHub) && typeof(Hub).GetMethod(m.Name) is null)
            .Select(m => m.Name)];

    public static TheoryData<string> Events() => Constants(typeof(ChatEvents));

    public static TheoryData<string> Errors() => Constants(typeof(ChatErrors));

    [Theory]
    [MemberData(nameof(Methods))]
    public void Every_hub_method_is_in_the_method_table(string method) =>
        Assert.Contains($"| [`{method}`](#", Document);

    [Theory]
    [MemberData(nameof(Events))]
    public void Every_event_is_in_the_event_table(string name) =>
        Assert.Contains($"| `{name}` |", Document);

    [Theory]
    [MemberData(nameof(Errors))]
    public void Every_error_text_is_listed_word_for_word(string text) =>
        Assert.Contains($"`{text}`", Document);

    private static TheoryData<string> Constants(Type type) =>
        [.. type.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!)];
}
