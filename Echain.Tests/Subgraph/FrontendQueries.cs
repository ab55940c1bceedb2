namespace Echain.Tests.Subgraph;

/// <summary>The frontend's subgraph queries, verbatim, and the introspection query its code generator sends.</summary>
public static class FrontendQueries
{
    public const string GetEvent = """
        query GetEvent($id: ID!) {
          event(id: $id) { id creator title description startTime endTime maxTickets ticketPrice
            tickets { id owner tokenId ticketType price isUsed } }
        }
        """;

    public const string GetUserTickets = """
        query GetUserTickets($owner: Bytes!) {
          tickets(where: { owner: $owner }) { id event { id title startTime endTime } tokenId ticketType price isUsed }
        }
        """;

    public const string GetEventWithTickets = """
        query GetEventWithTickets($id: ID!) {
          event(id: $id) { id title tickets(where: { isUsed: false }) { id owner price } }
        }
        """;

    /// <summary>graphql-js's getIntrospectionQuery() (descriptions on, seven levels of ofType).</summary>
    public const string Introspection = """
        query IntrospectionQuery {
          __schema {
            queryType { name } mutationType { name } subscriptionType { name }
            types { ...FullType }
            directives { name description locations args { ...InputValue } }
          }
        }
        fragment FullType on __Type {
          kind name description
          fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
          inputFields { ...InputValue }
          interfaces { ...TypeRef }
          enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
          possibleTypes { ...TypeRef }
        }
        fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
        fragment TypeRef on __Type {
          kind name
          ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } }
        }
        """;
}
