using System.Text.Json.Nodes;

namespace Shopstream.Pipeline.Tests.Clickstream;

internal static class JsonObjectExtensions
{
    /// <summary>Changes the object in place and returns it, for building variants inline.</summary>
    public static JsonObject Also(this JsonObject node, Action<JsonObject> change)
    {
        change(node);
        return node;
    }
}
