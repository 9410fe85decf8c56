using System.Globalization;
using System.Net;
using MaxMind.Db;
using MaxMind.GeoIP2;
using Shopstream.Grains.Interfaces.Records;
using Shopstream.Grains.Projection;
using Shopstream.Grains.Sessions;

namespace Shopstream.Silo.Geo;

/// <summary>
/// Locates events for <c>dim_location</c>, by the first of: the event's IP in a MaxMind database (GeoIP2/GeoLite2
/// City or Country, when <c>Shopstream:GeoIpDatabase</c> is set; key <c>ip:{address}</c>); the event's
/// <c>location</c> text, read as <c>[city, [region,]] country</c> (key <c>location:{text}</c>); the configured place
/// of its store (<c>Shopstream:StoreLocations:{id}</c>, key <c>store:{id}</c>); else one row, <c>Unknown</c>.
/// </summary>
public sealed class LocationResolver : ILocationResolver, IDisposable
{
    /// <summary>Country name of events nothing locates.</summary>
    public const string Unknown = "Unknown";

    private static readonly LocationRow UnknownLocation = new("unknown", null, null, Unknown, null, null);

    private readonly DatabaseReader? reader;
    private readonly bool hasCities;
    private readonly IReadOnlyDictionary<string, string> storeLocations;

    /// <param name="geoIpDatabase">A <c>.mmdb</c> file, or null to locate without one.</param>
    /// <param name="storeLocations">Place text per store id.</param>
    public LocationResolver(string? geoIpDatabase, IReadOnlyDictionary<string, string>? storeLocations = null)
    {
        this.storeLocations = storeLocations ?? new Dictionary<string, string>();
        if (string.IsNullOrWhiteSpace(geoIpDatabase))
        {
            return;
        }
        try
        {
            reader = new DatabaseReader(geoIpDatabase, FileAccessMode.Memory);
        }
        catch (Exception ex) when (ex is InvalidDatabaseException or IOException)
        {
            throw new ArgumentException($"setting Shopstream:GeoIpDatabase: '{geoIpDatabase}' is not a readable MaxMind database: {ex.Message}", ex);
        }
        hasCities = reader.Metadata.DatabaseType.Contains("City", StringComparison.OrdinalIgnoreCase);
    }

    public LocationRow Resolve(ClickEvent clickEvent)
    {
        ArgumentNullException.ThrowIfNull(clickEvent);
        if (reader is not null && clickEvent.Ip is { } ip && LookUp(ip) is { } found)
        {
            return found;
        }
        if (clickEvent.Location is { } text)
        {
            return FromText("location:" + text, text);
        }
        if (clickEvent.StoreId is { } store && storeLocations.TryGetValue(store, out var place) && !string.IsNullOrWhiteSpace(place))
        {
            return FromText("store:" + store, place);
        }
        return UnknownLocation;
    }

    private LocationRow? LookUp(string ip)
    {
        if (!IPAddress.TryParse(ip, out var address))
        {
            return null;
        }
        string? countryCode, countryName, regionName = null, cityName = null;
        if (hasCities)
        {
            if (!reader!.TryCity(address, out var city) || city is null)
            {
                return null;
            }
            (countryCode, countryName) = (city.Country.IsoCode, city.Country.Name);
            regionName = city.MostSpecificSubdivision.Name;
            cityName = city.City.Name;
        }
        else
        {
            if (!reader!.TryCountry(address, out var country) || country is null)
            {
                return null;
            }
            (countryCode, countryName) = (country.Country.IsoCode, country.Country.Name);
        }
        return countryName is null ? null : new LocationRow("ip:" + address, address.ToString(), countryCode, countryName, regionName, cityName);
    }

    /// <summary><c>City, Region, Country</c>, <c>City, Country</c> or <c>Country</c>; a two-letter country is an ISO code.</summary>
    private static LocationRow FromText(string key, string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0)
        {
            return UnknownLocation;
        }
        var country = parts[^1];
        string? code = null;
        if (country.Length == 2 && country.All(char.IsAsciiLetter))
        {
            try
            {
                var region = new RegionInfo(country);
                (code, country) = (region.TwoLetterISORegionName, region.EnglishName);
            }
            catch (ArgumentException)
            {
                // Not a region .NET knows: keep the text as the country.
            }
        }
        return new LocationRow(key, null, code, country, parts.Length > 2 ? parts[^2] : null, parts.Length > 1 ? parts[0] : null);
    }

    public void Dispose() => reader?.Dispose();
}
