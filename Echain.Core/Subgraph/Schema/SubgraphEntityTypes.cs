using GraphQL.Types;

namespace Echain.Core.Subgraph.Schema;

/// <summary>The Graph's <c>Event</c>; its <c>tickets</c> are loaded for every event of a level at once.</summary>
public sealed class EventGraphType : ObjectGraphType<SubgraphEvent>
{
    public EventGraphType()
    {
        Name = "Event";
        Field<NonNullGraphType<SubgraphIdGraphType>>("id").Resolve(c => c.Source.Id);
        Field<NonNullGraphType<BytesGraphType>>("creator").Resolve(c => c.Source.Creator);
        Field<NonNullGraphType<StringGraphType>>("title").Resolve(c => c.Source.Title);
        Field<NonNullGraphType<StringGraphType>>("description").Resolve(c => c.Source.Description);
        Field<NonNullGraphType<BigIntGraphType>>("startTime").Resolve(c => c.Source.StartTime);
        Field<NonNullGraphType<BigIntGraphType>>("endTime").Resolve(c => c.Source.EndTime);
        Field<NonNullGraphType<BigIntGraphType>>("maxTickets").Resolve(c => c.Source.MaxTickets);
        Field<NonNullGraphType<BigIntGraphType>>("ticketPrice").Resolve(c => c.Source.TicketPrice);
        Field("tickets", typeof(NonNullGraphType<ListGraphType<NonNullGraphType<TicketGraphType>>>))
            .CollectionOf(SubgraphEntity.Ticket)
            .Resolve(c =>
            {
                var query = SubgraphArguments.CollectionFrom(c);
                return SubgraphRequest.Of(c).TicketsOfEvents(query).Load(((SubgraphEvent)c.Source!).Id);
            });
        Field<NonNullGraphType<BigIntGraphType>>("createdAt").Resolve(c => c.Source.CreatedAt);
        Field<NonNullGraphType<BigIntGraphType>>("updatedAt").Resolve(c => c.Source.UpdatedAt);
    }
}

/// <summary>The Graph's <c>Ticket</c>; its <c>event</c> is loaded for every ticket of a level at once.</summary>
public sealed class TicketGraphType : ObjectGraphType<SubgraphTicket>
{
    public TicketGraphType()
    {
        Name = "Ticket";
        Field<NonNullGraphType<SubgraphIdGraphType>>("id").Resolve(c => c.Source.Id);
        Field<NonNullGraphType<EventGraphType>>("event").Resolve(c => SubgraphRequest.Of(c).Events.Load(c.Source.EventId));
        Field<NonNullGraphType<BytesGraphType>>("owner").Resolve(c => c.Source.Owner);
        Field<NonNullGraphType<BigIntGraphType>>("tokenId").Resolve(c => c.Source.TokenId);
        Field<NonNullGraphType<StringGraphType>>("ticketType").Resolve(c => c.Source.TicketType);
        Field<NonNullGraphType<BigIntGraphType>>("price").Resolve(c => c.Source.Price);
        Field<NonNullGraphType<BooleanGraphType>>("isUsed").Resolve(c => c.Source.IsUsed);
        Field<NonNullGraphType<BigIntGraphType>>("createdAt").Resolve(c => c.Source.CreatedAt);
        Field<BigIntGraphType>("transferredAt").Resolve(c => c.Source.TransferredAt);
    }
}

/// <summary>The Graph's <c>Transaction</c>: one row of an event's activity.</summary>
public sealed class TransactionGraphType : ObjectGraphType<SubgraphTransaction>
{
    public TransactionGraphType()
    {
        Name = "Transaction";
        Field<NonNullGraphType<SubgraphIdGraphType>>("id").Resolve(c => c.Source.Id);
        Field<NonNullGraphType<EventGraphType>>("event").Resolve(c => SubgraphRequest.Of(c).Events.Load(c.Source.EventId));
        Field<TicketGraphType>("ticket").Resolve(c => c.Source.TicketId is { } id ? SubgraphRequest.Of(c).Tickets.Load(id) : null);
        Field<NonNullGraphType<BytesGraphType>>("from").Resolve(c => c.Source.From);
        Field<NonNullGraphType<BytesGraphType>>("to").Resolve(c => c.Source.To);
        Field<NonNullGraphType<BigIntGraphType>>("value").Resolve(c => c.Source.Value);
        Field<NonNullGraphType<StringGraphType>>("transactionType").Resolve(c => c.Source.TransactionType);
        Field<NonNullGraphType<BigIntGraphType>>("timestamp").Resolve(c => c.Source.Timestamp);
    }
}
