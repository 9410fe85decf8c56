namespace Shopstream.Ingest;

/// <summary>
/// An ingest failure a user has to act on (bad configuration, unreadable snapshot, unreachable API,
/// failed Kafka delivery). Bad records are never thrown: they become <c>RejectedRecord</c>s.
/// </summary>
public sealed class IngestException : Exception
{
    public IngestException()
    {
    }

    public IngestException(string message)
        : base(message)
    {
    }

    public IngestException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
