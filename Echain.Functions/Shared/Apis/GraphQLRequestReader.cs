using System.Text.Json;
using GraphQL;
using GraphQL.Transport;

namespace Echain.Functions.Shared.Apis;

/// <summary>
/// Reads the GraphQL-over-HTTP request parameters (<c>query</c>, <c>operationName</c>, <c>variables</c>,
/// <c>extensions</c>) from a JSON body or a query string. Each is checked for its JSON type first, so a client that sends
/// a number as the query learns which parameter is wrong instead of getting a serializer's message.
/// </summary>
public static class GraphQLRequestReader
{
    /// <summary>Either the request or the sentence saying why this is not one.</summary>
    public sealed record Outcome(GraphQLRequest? Request, string? Error)
    {
        public static Outcome Refused(string error) => new(null, error);
    }

    private static readonly JsonDocumentOptions Strict = new() { AllowDuplicateProperties = false };

    public static Outcome FromBody(ReadOnlyMemory<byte> body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, Strict);
        }
        catch (JsonException)
        {
            return Outcome.Refused("The body is not JSON (or repeats a member); send {\"query\": \"…\", \"variables\": {…}}.");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return Outcome.Refused("The body must be a JSON object {\"query\": \"…\", \"operationName\": \"…\", \"variables\": {…}}.");
            if (!root.TryGetProperty("query", out var query) || query.ValueKind == JsonValueKind.Null)
                return Outcome.Refused("The request has no query.");
            if (query.ValueKind != JsonValueKind.String) return Outcome.Refused("query must be a string.");
            if (!OptionalString(root, "operationName", out var operationName)) return Outcome.Refused("operationName must be a string.");
            if (!OptionalObject(root, "variables", out var variables)) return Outcome.Refused("variables must be a JSON object.");
            if (!OptionalObject(root, "extensions", out var extensions)) return Outcome.Refused("extensions must be a JSON object.");
            return new Outcome(new GraphQLRequest
            {
                Query = query.GetString(),
                OperationName = operationName,
                Variables = variables,
                Extensions = extensions,
            }, null);
        }
    }

    public static Outcome FromQueryString(string? query, string? operationName, string? variables, string? extensions)
    {
        if (query is null) return Outcome.Refused("The request has no query (the query parameter).");
        if (!ParsedObject(variables, out var variableInputs)) return Outcome.Refused("variables must be a JSON object (URL-encoded JSON text).");
        if (!ParsedObject(extensions, out var extensionInputs)) return Outcome.Refused("extensions must be a JSON object (URL-encoded JSON text).");
        return new Outcome(new GraphQLRequest
        {
            Query = query,
            OperationName = string.IsNullOrEmpty(operationName) ? null : operationName,
            Variables = variableInputs,
            Extensions = extensionInputs,
        }, null);
    }

    private static bool OptionalString(JsonElement root, string name, out string? value)
    {
        value = null;
        if (!root.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null) return true;
        if (element.ValueKind != JsonValueKind.String) return false;
        value = element.GetString();
        return true;
    }

    private static bool OptionalObject(JsonElement root, string name, out Inputs? value)
    {
        value = null;
        if (!root.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null) return true;
        if (element.ValueKind != JsonValueKind.Object) return false;
        value = GraphQLAnswer.Serializer.ReadNode<Inputs>(element);
        return true;
    }

    private static bool ParsedObject(string? json, out Inputs? value)
    {
        value = null;
        if (string.IsNullOrEmpty(json)) return true;
        try
        {
            using var document = JsonDocument.Parse(json, Strict);
            if (document.RootElement.ValueKind == JsonValueKind.Null) return true;
            if (document.RootElement.ValueKind != JsonValueKind.Object) return false;
            value = GraphQLAnswer.Serializer.ReadNode<Inputs>(document.RootElement);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
