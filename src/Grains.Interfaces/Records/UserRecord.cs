namespace Shopstream.Grains.Interfaces.Records;

/// <summary>A user as normalized by the ingest. Passwords and other secrets are never part of it.</summary>
[GenerateSerializer, Immutable]
public sealed record UserRecord
{
    [Id(0)] public required string Source { get; init; }
    [Id(1)] public required long Id { get; init; }
    [Id(2)] public string? Email { get; init; }
    [Id(3)] public string? Username { get; init; }
    [Id(4)] public string? FirstName { get; init; }
    [Id(5)] public string? LastName { get; init; }
    [Id(6)] public string? Phone { get; init; }
    [Id(7)] public string? AddressStreet { get; init; }
    [Id(8)] public string? AddressCity { get; init; }
    [Id(9)] public string? AddressZipcode { get; init; }
}
