using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using MessagePack;
using MessagePack.Formatters;
using MessagePack.Resolvers;

namespace Echain.Functions.Standalone.Realtime;

/// <summary>
/// MessagePack options under which every hub payload has the shape the JSON protocol gives it: the same camelCase keys,
/// the same omitted nulls, enums as numbers, numbers as integers where JSON has an integer, strings as strings. Payloads
/// are JSON by contract (<see cref="Echain.Core.Realtime.RealtimeMessage"/> holds a JsonObject, the proof is a record),
/// and MessagePack's own resolvers would write a record's property names as declared and cannot write a JsonObject.
/// SignalR serializes a group message once per protocol, so the detour through a JSON document is paid once per
/// message, not per connection.
/// </summary>
public static class JsonShapedMessagePack
{
    /// <param name="json">the JSON protocol's payload options, so both protocols name and omit alike.</param>
    public static MessagePackSerializerOptions Options(JsonSerializerOptions json) =>
        MessagePackSerializerOptions.Standard.WithResolver(new JsonShapedResolver(json)).WithSecurity(MessagePackSecurity.UntrustedData);

    private sealed class JsonShapedResolver(JsonSerializerOptions json) : IFormatterResolver
    {
        // Written as MessagePack's standard formatters write them, which is how JSON writes them too.
        private static readonly HashSet<Type> Scalars =
        [
            typeof(bool), typeof(byte), typeof(sbyte), typeof(short), typeof(ushort), typeof(int), typeof(uint),
            typeof(long), typeof(ulong), typeof(float), typeof(double), typeof(string),
        ];

        private readonly ConcurrentDictionary<Type, object> _formatters = new();

        public IMessagePackFormatter<T>? GetFormatter<T>() =>
            (IMessagePackFormatter<T>?)_formatters.GetOrAdd(typeof(T), type =>
                Scalars.Contains(type) ? StandardResolver.Instance.GetFormatter<T>()! : new JsonShapedFormatter<T>(json));
    }

    private sealed class JsonShapedFormatter<T>(JsonSerializerOptions json) : IMessagePackFormatter<T>
    {
        public void Serialize(ref MessagePackWriter writer, T value, MessagePackSerializerOptions options)
        {
            using var document = JsonSerializer.SerializeToDocument(value, json);
            Write(ref writer, document.RootElement);
        }

        public T Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) =>
            JsonSerializer.Deserialize<T>(Read(ref reader, options), json)!;
    }

    private static void Write(ref MessagePackWriter writer, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var count = 0;
                foreach (var _ in element.EnumerateObject()) count++;
                writer.WriteMapHeader(count);
                foreach (var property in element.EnumerateObject())
                {
                    writer.Write(property.Name);
                    Write(ref writer, property.Value);
                }
                break;
            case JsonValueKind.Array:
                writer.WriteArrayHeader(element.GetArrayLength());
                foreach (var item in element.EnumerateArray()) Write(ref writer, item);
                break;
            case JsonValueKind.String:
                writer.Write(element.GetString());
                break;
            case JsonValueKind.Number when element.TryGetInt64(out var integer):
                writer.Write(integer);
                break;
            case JsonValueKind.Number when element.TryGetUInt64(out var large):
                writer.Write(large);
                break;
            case JsonValueKind.Number:
                writer.Write(element.GetDouble());
                break;
            case JsonValueKind.True or JsonValueKind.False:
                writer.Write(element.GetBoolean());
                break;
            default:
                writer.WriteNil();
                break;
        }
    }

    /// <summary>MessagePack that JSON can hold, as a JSON node (binary and extension types have no JSON shape).</summary>
    private static JsonNode? Read(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        options.Security.DepthStep(ref reader);
        try
        {
            switch (reader.NextMessagePackType)
            {
                case MessagePackType.Map:
                    var map = new JsonObject();
                    for (var n = reader.ReadMapHeader(); n > 0; n--)
                    {
                        var key = reader.ReadString() ?? throw new MessagePackSerializationException("A map key is nil.");
                        map[key] = Read(ref reader, options);
                    }
                    return map;
                case MessagePackType.Array:
                    var array = new JsonArray();
                    for (var n = reader.ReadArrayHeader(); n > 0; n--) array.Add(Read(ref reader, options));
                    return array;
                case MessagePackType.String:
                    return JsonValue.Create(reader.ReadString());
                case MessagePackType.Integer:
                    return reader.NextCode == MessagePackCode.UInt64 ? JsonValue.Create(reader.ReadUInt64()) : JsonValue.Create(reader.ReadInt64());
                case MessagePackType.Float:
                    return JsonValue.Create(reader.ReadDouble());
                case MessagePackType.Boolean:
                    return JsonValue.Create(reader.ReadBoolean());
                case MessagePackType.Nil:
                    reader.ReadNil();
                    return null;
                default:
                    throw new MessagePackSerializationException($"MessagePack {reader.NextMessagePackType} has no JSON shape.");
            }
        }
        finally
        {
            reader.Depth--;
        }
    }
}
