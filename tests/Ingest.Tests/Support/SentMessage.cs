namespace Shopstream.Ingest.Tests.Support;

/// <summary>One message as <see cref="RecordingSink"/> received it.</summary>
internal sealed record SentMessage(string Namespace, string Topic, string Key, object Record, byte[] Value);
