namespace Echain.Functions.Shared.Realtime;

/// <summary>
/// What <c>POST /api/negotiate</c> answers on both hosts, SignalR Service's negotiate redirect: the client connects
/// to <paramref name="Url"/> with <paramref name="AccessToken"/>.
/// </summary>
public sealed record HubConnectionInfo(string Url, string AccessToken);
