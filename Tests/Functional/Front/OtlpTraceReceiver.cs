using System.Net;
using OrleansChat.Tests.Support;

namespace OrleansChat.Tests.Functional.Front;

/// <summary>
/// A collector in a few lines: accepts OTLP/HTTP protobuf exports on <c>POST /v1/traces</c> at a free loopback port
/// and keeps the spans, read with just enough of the OTLP schema (resource spans → scope spans → span) to follow a
/// trace: ids, parent, name, kind, the scope and the service.
/// </summary>
public sealed class OtlpTraceReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly List<ReceivedSpan> _spans = [];
    private readonly Task _serving;
    private TaskCompletionSource _received = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public OtlpTraceReceiver()
    {
        Endpoint = new Uri($"http://127.0.0.1:{FreePort.Next()}/");
        _listener.Prefixes.Add(Endpoint.ToString());
        _listener.Start();
        _serving = Task.Run(ServeAsync);
    }

    /// <summary>What <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set to; the exporter adds <c>/v1/traces</c>.</summary>
    public Uri Endpoint { get; }

    /// <summary>Waits until the spans received so far satisfy <paramref name="found"/>, and returns what it gave.</summary>
    public async Task<T> WaitForAsync<T>(Func<IReadOnlyList<ReceivedSpan>, T?> found, TimeSpan timeout) where T : class
    {
        using var cancel = new CancellationTokenSource(timeout);
        while (true)
        {
            Task next;
            lock (_spans)
            {
                if (found(_spans.ToList()) is { } result)
                {
                    return result;
                }

                next = _received.Task;
            }

            try
            {
                await next.WaitAsync(cancel.Token);
            }
            catch (OperationCanceledException)
            {
                lock (_spans)
                {
                    var seen = string.Join(", ", _spans.Select(s => $"{s.Scope}:{s.Name}"));
                    throw new TimeoutException($"No such trace within {timeout}; received: {seen}");
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _serving;
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (!_listener.IsListening)
            {
                return;
            }

            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            var ok = context.Request.HttpMethod == "POST" && context.Request.Url?.AbsolutePath == "/v1/traces";
            if (ok)
            {
                var spans = ReadExport(body.ToArray());
                lock (_spans)
                {
                    _spans.AddRange(spans);
                    _received.TrySetResult();
                    _received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }
            }

            context.Response.StatusCode = ok ? 200 : 404;
            context.Response.ContentType = "application/x-protobuf";
            context.Response.Close();
        }
    }

    /// <summary>ExportTraceServiceRequest: resource_spans = 1.</summary>
    private static List<ReceivedSpan> ReadExport(byte[] body)
    {
        var spans = new List<ReceivedSpan>();
        foreach (var (field, resourceSpans) in Fields(body))
        {
            if (field == 1)
            {
                ReadResourceSpans(resourceSpans, spans);
            }
        }

        return spans;
    }

    /// <summary>ResourceSpans: resource = 1 (attributes = 1: key = 1, value = 2: string_value = 1), scope_spans = 2.</summary>
    private static void ReadResourceSpans(ReadOnlyMemory<byte> message, List<ReceivedSpan> spans)
    {
        var service = "";
        foreach (var (field, value) in Fields(message))
        {
            if (field != 1)
            {
                continue;
            }

            foreach (var (attributeField, attribute) in Fields(value))
            {
                var parts = attributeField == 1 ? Fields(attribute).ToList() : [];
                if (parts.FirstOrDefault(p => p.Field == 1) is { Value: var key } && Text(key) == "service.name")
                {
                    service = Text(Fields(parts.First(p => p.Field == 2).Value).First(p => p.Field == 1).Value);
                }
            }
        }

        foreach (var (field, scopeSpans) in Fields(message))
        {
            if (field == 2)
            {
                ReadScopeSpans(scopeSpans, service, spans);
            }
        }
    }

    /// <summary>ScopeSpans: scope = 1 (name = 1), spans = 2.</summary>
    private static void ReadScopeSpans(ReadOnlyMemory<byte> message, string service, List<ReceivedSpan> spans)
    {
        var scope = "";
        foreach (var (field, value) in Fields(message))
        {
            if (field == 1)
            {
                scope = Fields(value).Where(p => p.Field == 1).Select(p => Text(p.Value)).FirstOrDefault() ?? "";
            }
        }

        foreach (var (field, value) in Fields(message))
        {
            if (field == 2)
            {
                spans.Add(ReadSpan(value, scope, service));
            }
        }
    }

    /// <summary>Span: trace_id = 1, span_id = 2, parent_span_id = 4, name = 5, kind = 6 (a varint).</summary>
    private static ReceivedSpan ReadSpan(ReadOnlyMemory<byte> message, string scope, string service)
    {
        string traceId = "", spanId = "", parentId = "", name = "";
        var kind = 0L;
        foreach (var (field, value, number) in FieldsWithNumbers(message))
        {
            switch (field)
            {
                case 1: traceId = Convert.ToHexStringLower(value.Span); break;
                case 2: spanId = Convert.ToHexStringLower(value.Span); break;
                case 4: parentId = Convert.ToHexStringLower(value.Span); break;
                case 5: name = Text(value); break;
                case 6: kind = number; break;
            }
        }

        return new ReceivedSpan(traceId, spanId, parentId, name, (SpanKind)kind, scope, service);
    }

    private static string Text(ReadOnlyMemory<byte> value) => System.Text.Encoding.UTF8.GetString(value.Span);

    private static IEnumerable<(int Field, ReadOnlyMemory<byte> Value)> Fields(ReadOnlyMemory<byte> message) =>
        FieldsWithNumbers(message).Select(f => (f.Field, f.Value));

    /// <summary>The protobuf wire format: each field a tag (number and type), then a varint, fixed bytes or a length.</summary>
    private static IEnumerable<(int Field, ReadOnlyMemory<byte> Value, long Number)> FieldsWithNumbers(ReadOnlyMemory<byte> message)
    {
        var position = 0;
        while (position < message.Length)
        {
            var tag = Varint(message.Span, ref position);
            var (field, wireType) = ((int)(tag >> 3), (int)(tag & 7));
            switch (wireType)
            {
                case 0:
                    yield return (field, ReadOnlyMemory<byte>.Empty, Varint(message.Span, ref position));
                    break;
                case 1:
                    position += 8;
                    break;
                case 2:
                    var length = (int)Varint(message.Span, ref position);
                    yield return (field, message.Slice(position, length), 0);
                    position += length;
                    break;
                case 5:
                    position += 4;
                    break;
                default:
                    throw new InvalidDataException($"Wire type {wireType} is not in OTLP.");
            }
        }
    }

    private static long Varint(ReadOnlySpan<byte> bytes, ref int position)
    {
        long value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = bytes[position++];
            value |= (long)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }
    }

    /// <summary>OTLP's span kinds (0 is unspecified).</summary>
    public enum SpanKind
    {
        Unspecified = 0,
        Internal = 1,
        Server = 2,
        Client = 3,
        Producer = 4,
        Consumer = 5,
    }

    /// <summary>A span as received: ids in lowercase hex (the parent empty for a root), its scope and service.</summary>
    public sealed record ReceivedSpan(
        string TraceId, string SpanId, string ParentSpanId, string Name, SpanKind Kind, string Scope, string Service);
}
