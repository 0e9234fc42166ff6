namespace OrleansChat.WebFront.Security;

/// <summary>How the hub knows who a connection is.</summary>
public enum AuthMode
{
    /// <summary>No sign-in: a connection is whoever registers a free nickname (the original's behaviour).</summary>
    Anonymous,

    /// <summary>A JWT bearer token is required; the nickname comes from one of its claims.</summary>
    Jwt,
}
