using System.Security.Cryptography;
using Microsoft.Net.Http.Headers;

namespace OrleansChat.WebFront.Endpoints;

/// <summary>The original's two images, read once at start-up and served from memory with a content-hash ETag.</summary>
public sealed class BrandImages
{
    private readonly Image _logo = Load("logo.png");
    private readonly Image _icon = Load("flaticon.png");

    public IResult Logo() => _logo.ToResult();

    public IResult Icon() => _icon.ToResult();

    private static Image Load(string fileName)
    {
        var bytes = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Assets", fileName));
        var etag = new EntityTagHeaderValue($"\"{Convert.ToHexStringLower(SHA256.HashData(bytes))[..16]}\"");
        return new Image(bytes, etag);
    }

    private sealed record Image(byte[] Bytes, EntityTagHeaderValue ETag)
    {
        public IResult ToResult() => TypedResults.Bytes(Bytes, "image/png", entityTag: ETag);
    }
}
