using System.Text;
using Shopstream.Grains.Interfaces.Records;
using Shopstream.Grains.Interfaces.Wire;
using Shopstream.Ingest.Normalization;
using Shopstream.Ingest.Sources;
using Shopstream.Ingest.Tests.Support;
using Xunit;

namespace Shopstream.Ingest.Tests;

public sealed class UserNormalizerTests
{
    private readonly UserNormalizer normalizer = new();

    private Dictionary<long, UserRecord> All(string source) =>
        SampleData.Raw(source, "users").Select(raw =>
        {
            var result = normalizer.Normalize(source, raw);
            Assert.True(result.IsAccepted, result.Reason);
            return result.Record;
        }).ToDictionary(u => u.Id);

    [Fact]
    public void Fakestore_user_maps_nested_name_and_address()
    {
        var user = All(SourceNames.FakeStore)[1];

        Assert.Equal(
            new UserRecord
            {
                Source = "fakestore",
                Id = 1,
                Email = "john@gmail.com",
                Username = "johnd",
                FirstName = "john",
                LastName = "doe",
                Phone = "1-570-236-7033",
                AddressStreet = "7682 new road",
                AddressCity = "kilcoole",
                AddressZipcode = "12926-3874",
            },
            user);
    }

    [Fact]
    public void Fakestore_street_is_house_number_then_street_for_every_user()
    {
        var raw = SampleData.Raw(SourceNames.FakeStore, "users");
        var users = All(SourceNames.FakeStore);

        Assert.Equal(10, users.Count);
        Assert.All(raw, r =>
        {
            var address = r.GetProperty("address");
            Assert.Equal(
                $"{address.GetProperty("number").GetInt32()} {address.GetProperty("street").GetString()}",
                users[r.GetProperty("id").GetInt64()].AddressStreet);
        });
        Assert.Equal("86 Frances Ct", users[3].AddressStreet);
    }

    [Fact]
    public void Fakestore_street_without_house_number_is_just_the_street()
    {
        var result = normalizer.Normalize(SourceNames.FakeStore, SampleData.Json("""{"id":1,"address":{"street":"new road"}}"""));

        Assert.Equal("new road", result.Record?.AddressStreet);
    }

    [Fact]
    public void Dummyjson_user_maps_camel_case_names_and_postal_code()
    {
        var user = All(SourceNames.DummyJson)[1];

        Assert.Equal(
            new UserRecord
            {
                Source = "dummyjson",
                Id = 1,
                Email = "emily.johnson@x.dummyjson.com",
                Username = "emilys",
                FirstName = "Emily",
                LastName = "Johnson",
                Phone = "+81 965-431-3024",
                AddressStreet = "626 Main Street",
                AddressCity = "Phoenix",
                AddressZipcode = "29112",
            },
            user);
        Assert.Equal(208, All(SourceNames.DummyJson).Count);
    }

    [Fact]
    public void No_password_or_other_secret_appears_in_normalized_output()
    {
        foreach (var source in SourceNames.All)
        {
            var raw = SampleData.Raw(source, "users");
            var users = All(source);
            Assert.All(raw, r =>
            {
                var user = users[r.GetProperty("id").GetInt64()];
                var wire = Encoding.UTF8.GetString(WireFormat.Serialize(StreamNamespaces.Users, user, 1, DateTimeOffset.UnixEpoch));
                Assert.DoesNotContain("password", wire, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain(r.GetProperty("password").GetString()!, wire, StringComparison.Ordinal);
                if (source == SourceNames.DummyJson)
                {
                    Assert.DoesNotContain(r.GetProperty("ssn").GetString()!, wire, StringComparison.Ordinal);
                    Assert.DoesNotContain(r.GetProperty("bank").GetProperty("cardNumber").GetString()!, wire, StringComparison.Ordinal);
                    Assert.DoesNotContain(r.GetProperty("bank").GetProperty("iban").GetString()!, wire, StringComparison.Ordinal);
                }
            });
        }
    }

    [Theory]
    [InlineData("""{"id":1,"email":["a@b.c"]}""", "email")]
    [InlineData("""{"id":1,"name":"john doe"}""", "name")]
    [InlineData("""{"id":1,"address":{"zipcode":12926}}""", "address.zipcode")]
    [InlineData("""{"id":1,"address":{"number":true}}""", "address.number")]
    public void Fakestore_user_field_of_the_wrong_type_is_rejected_naming_it(string json, string field)
    {
        var result = normalizer.Normalize(SourceNames.FakeStore, SampleData.Json(json));

        Assert.False(result.IsAccepted);
        Assert.Contains($"'{field}'", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void User_without_id_is_rejected()
    {
        var result = normalizer.Normalize(SourceNames.DummyJson, SampleData.Json("""{"username":"x","password":"p"}"""));

        Assert.Equal("missing or invalid id", result.Reason);
    }
}
