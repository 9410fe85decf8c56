namespace Shopstream.Grains.Interfaces.Wire;

/// <summary>Logical stream namespaces. Kafka topic names are configurable and map onto these.</summary>
public static class StreamNamespaces
{
    public const string Products = "products";
    public const string Carts = "carts";
    public const string Users = "users";
    public const string Rejected = "rejected";

    /// <summary>Clickstream events, keyed by session key.</summary>
    public const string Events = "events";

    /// <summary>Product recall notices (RappelConso), keyed <c>rappelconso:&lt;numero_fiche&gt;</c>.</summary>
    public const string Recalls = "recalls";

    /// <summary>Every namespace the silo consumes, in a stable order.</summary>
    public static readonly IReadOnlyList<string> All = [Products, Carts, Users, Rejected, Events, Recalls];
}
