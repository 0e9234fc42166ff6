namespace OrleansChat.Grains.Interfaces.Fronts;

/// <summary>The sessions with a connection on one front (keyed by the front id).</summary>
[Alias("OrleansChat.IFrontSessionsGrain")]
public interface IFrontSessionsGrain : IGrainWithStringKey
{
    [Alias("Add")]
    Task Add(string nicknameKey);

    [Alias("Remove")]
    Task Remove(string nicknameKey);

    /// <summary>The front is gone: tells every session it held, then forgets them.</summary>
    [Alias("Evict")]
    Task Evict(FrontLost lost);
}
