namespace Shopstream.Ingest.Http;

/// <summary>One event the API did not accept: its position in the body and every problem with it.</summary>
public sealed record EventRejection(int Index, IReadOnlyList<string> Errors);
