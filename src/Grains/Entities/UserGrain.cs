using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Shopstream.Grains.Interfaces.Grains;
using Shopstream.Grains.Interfaces.Records;
using Shopstream.Grains.Interfaces.Wire;
using Shopstream.Grains.Projection;

namespace Shopstream.Grains.Entities;

/// <summary>A user, keyed <c>source:id</c>.</summary>
public sealed class UserGrain(
    IProjectionWriter writer,
    ILogger<UserGrain> logger) : EntityGrain<UserRecord>("user", writer, logger), IUserGrain
{
    protected override string StreamNamespace => StreamNamespaces.Users;

    protected override Task ProjectAsync(UserRecord r, long version, string contentHash) =>
        Writer.WriteAsync(new UserRow(
            r.Source, r.Id, r.Email, r.Username, r.FirstName, r.LastName, r.Phone, r.AddressStreet, r.AddressCity,
            r.AddressZipcode, version, contentHash));
}
