using System.Text.Json;
using Shopstream.Grains.Interfaces.Records;
using Shopstream.Grains.Interfaces.Wire;
using Shopstream.Ingest.Json;
using Shopstream.Ingest.Sources;

namespace Shopstream.Ingest.Normalization;

/// <summary>
/// FakeStore: <c>name.firstname</c>/<c>lastname</c>, street = "{address.number} {address.street}", <c>address.city</c>,
/// <c>address.zipcode</c>. DummyJSON: <c>firstName</c>/<c>lastName</c>, <c>address.address</c>, <c>address.city</c>,
/// <c>address.postalCode</c>. Only the listed fields are read: passwords, SSNs, bank and crypto data never leave the raw record.
/// </summary>
public sealed class UserNormalizer : IRecordNormalizer<UserRecord>
{
    public string Entity => StreamNamespaces.Users;

    public NormalizationResult<UserRecord> Normalize(string source, JsonElement raw)
    {
        var fields = JsonFields.OfRecord(raw);
        var id = fields.Id("id");
        var email = fields.Text("email");
        var username = fields.Text("username");
        var phone = fields.Text("phone");
        string? firstName;
        string? lastName;
        string? street;
        string? city;
        string? zipcode;
        switch (source)
        {
            case SourceNames.FakeStore:
                var name = fields.Object("name");
                firstName = name.Text("firstname");
                lastName = name.Text("lastname");
                var fakeStoreAddress = fields.Object("address");
                street = StreetOf(fakeStoreAddress.TextOrNumber("number"), fakeStoreAddress.Text("street"));
                city = fakeStoreAddress.Text("city");
                zipcode = fakeStoreAddress.Text("zipcode");
                break;
            case SourceNames.DummyJson:
                firstName = fields.Text("firstName");
                lastName = fields.Text("lastName");
                var dummyJsonAddress = fields.Object("address");
                street = dummyJsonAddress.Text("address");
                city = dummyJsonAddress.Text("city");
                zipcode = dummyJsonAddress.Text("postalCode");
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(source), source, "unknown source");
        }

        return NormalizationResult<UserRecord>.Of(fields, id, usableId => new UserRecord
        {
            Source = source,
            Id = usableId,
            Email = email,
            Username = username,
            FirstName = firstName,
            LastName = lastName,
            Phone = phone,
            AddressStreet = street,
            AddressCity = city,
            AddressZipcode = zipcode,
        });
    }

    private static string? StreetOf(string? number, string? street)
    {
        var hasNumber = !string.IsNullOrWhiteSpace(number);
        var hasStreet = !string.IsNullOrWhiteSpace(street);
        return (hasNumber, hasStreet) switch
        {
            (true, true) => $"{number} {street}",
            (false, true) => street,
            (true, false) => number,
            _ => null,
        };
    }
}
