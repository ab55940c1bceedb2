namespace Echain.Core.Reads;

// The analytics answers (README, "Serving your frontend" → "Analytics", defines each figure). Amounts are decimal strings
// in the payment token's base units (USDC: 6 decimals): formatting them for display is the client's job.

/// <summary>
/// An event's figures from the projection. <see cref="SalesPerHour"/> has <see cref="AnalyticsWindow.Hours"/> buckets, oldest
/// first, from <see cref="WindowStart"/> to <see cref="WindowEnd"/> (the hour the figures were loaded in, UTC).
/// </summary>
public sealed record EventAnalyticsView(
    string EventId, long TicketsSold, string TicketsAvailable, string Revenue,
    long Resales, long UniqueHolders, long CheckIns, double CheckInRate,
    DateTimeOffset WindowStart, DateTimeOffset WindowEnd, IReadOnlyList<HourlySales> SalesPerHour);

/// <summary>The purchases whose block time falls in [Hour, Hour + 1 h): how many, and the sum of their prices.</summary>
public sealed record HourlySales(DateTimeOffset Hour, long Tickets, string Revenue);

/// <summary>A wallet's figures; a wallet with no history has zeros.</summary>
public sealed record UserAnalyticsView(string Address, long TicketsHeld, long EventsAttended, string TotalSpent);

public static class AnalyticsWindow
{
    /// <summary>The last 7 days, in hourly buckets, the current (still filling) hour last.</summary>
    public const int Hours = 7 * 24;

    /// <summary>checkInRate's rounding: 4 decimal places, half away from zero.</summary>
    public const int RateDecimals = 4;

    /// <summary>The start of the hour <paramref name="now"/> is in (UTC): the window's last bucket.</summary>
    public static DateTimeOffset CurrentHour(DateTimeOffset now)
    {
        var utc = now.ToUniversalTime();
        return new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, 0, 0, TimeSpan.Zero);
    }

    /// <summary>checkIns / ticketsSold, rounded; 0 when none were sold.</summary>
    public static double CheckInRate(long checkIns, long sold) =>
        sold == 0 ? 0 : Math.Round((double)checkIns / sold, RateDecimals, MidpointRounding.AwayFromZero);
}
