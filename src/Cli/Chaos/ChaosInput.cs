using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Shopstream.Grains.Interfaces.Records;
using Shopstream.Grains.Interfaces.Wire;

namespace Shopstream.Cli.Chaos;

/// <summary>
/// The messages of one chaos scenario, where its faults land in them, and the rows they imply. Most entities get five
/// versions, so a lost early version would hide behind a later one; around each fault a band of entities gets exactly
/// one version each, half produced before the fault and half after, so a record in flight at the fault that gets lost
/// is a missing row.
/// </summary>
public sealed class ChaosInput
{
    /// <summary>Versions each entity outside the bands gets.</summary>
    public const int VersionsPerEntity = 5;

    /// <summary>The <c>source</c> of every expected row.</summary>
    public const string Source = "chaos";

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private ChaosInput(
        List<Message<byte[], byte[]>> messages, List<int> bandStarts, List<int> faultsAt, List<ChaosExpectedRow> expected,
        int entities, int bandEntities, int expectedRejections)
    {
        Messages = messages;
        BandStarts = bandStarts;
        FaultsAt = faultsAt;
        Expected = expected;
        Entities = entities;
        BandEntities = bandEntities;
        ExpectedRejections = expectedRejections;
    }

    /// <summary>Every message, in the order it is produced.</summary>
    public IReadOnlyList<Message<byte[], byte[]>> Messages { get; }

    /// <summary>Per fault: the index of its band's first message.</summary>
    public IReadOnlyList<int> BandStarts { get; }

    /// <summary>Per fault: the index of the first message produced after it (the middle of its band).</summary>
    public IReadOnlyList<int> FaultsAt { get; }

    /// <summary>The final row of every entity.</summary>
    public IReadOnlyList<ChaosExpectedRow> Expected { get; }

    /// <summary>Distinct entities: those with several versions plus the single-version ones of the bands.</summary>
    public int Entities { get; }

    /// <summary>Entities that get one version, produced around a fault.</summary>
    public int BandEntities { get; }

    /// <summary>Poison messages and refused rows, each of which must land in <c>rejected_records</c>.</summary>
    public int ExpectedRejections { get; }

    /// <summary>
    /// <paramref name="records"/> product records; a tenth of them (per fault) form the single-version bands.
    /// <paramref name="faultFractions"/> say where in the rest each fault lands (0.4: after 40 % of it), ascending.
    /// </summary>
    public static ChaosInput Create(int records, IReadOnlyList<double> faultFractions, bool poison)
    {
        ArgumentNullException.ThrowIfNull(faultFractions);
        var band = faultFractions.Count == 0 ? 0 : Math.Max(2, records / 10);
        var multi = Math.Max(1, records - (faultFractions.Count * band));
        var entities = Math.Max(1, multi / VersionsPerEntity);
        var faultPositions = faultFractions.Select(f => (int)(multi * f)).ToList();
        var messages = new List<Message<byte[], byte[]>>(records + (records / 50));
        var latest = new Dictionary<long, ChaosExpectedRow>();
        var bandStarts = new List<int>();
        var faultsAt = new List<int>();
        var rejections = 0;
        long version = 0;

        void Add(long id)
        {
            version++;
            var title = "v" + version.ToString(Inv);
            var price = (version % 500) + 0.5m;
            var record = new ProductRecord { Source = Source, Id = id, Title = title, Price = price, Category = Source };
            messages.Add(new Message<byte[], byte[]>
            {
                Key = Encoding.UTF8.GetBytes($"{Source}:{id}"),
                Value = WireFormat.Serialize(StreamNamespaces.Products, record, version, DateTimeOffset.UtcNow),
            });
            latest[id] = new ChaosExpectedRow(id, version, title, price);
        }

        var nextBandId = (long)entities + 1;
        for (var j = 0; j < multi; j++)
        {
            foreach (var _ in faultPositions.Where(p => p == j))
            {
                bandStarts.Add(messages.Count);
                for (var b = 0; b < band; b++)
                {
                    if (b == band / 2)
                    {
                        faultsAt.Add(messages.Count);
                    }
                    Add(nextBandId++);
                }
            }
            Add((j % entities) + 1);
            if (poison && j % 100 == 0)
            {
                messages.Add(new Message<byte[], byte[]> { Key = Encoding.UTF8.GetBytes($"poison:{j}"), Value = Encoding.UTF8.GetBytes("{\"schema_version\":1,\"entity\":\"product\" garbage") });
                var refused = new ProductRecord { Source = "bad", Id = j + 1, Title = "too expensive", Price = 1e13m };
                messages.Add(new Message<byte[], byte[]> { Key = Encoding.UTF8.GetBytes($"bad:{j + 1}"), Value = WireFormat.Serialize(StreamNamespaces.Products, refused, 1, DateTimeOffset.UtcNow) });
                rejections += 2;
            }
        }
        var bandEntities = (int)(nextBandId - entities - 1);
        return new ChaosInput(messages, bandStarts, faultsAt, [.. latest.Values.OrderBy(r => r.Id)], latest.Count, bandEntities, rejections);
    }
}

/// <summary>The row one entity must end with.</summary>
/// <param name="Id">Product id (source <c>chaos</c>).</param>
/// <param name="Version">Version of its last record.</param>
/// <param name="Title">Title of its last record.</param>
/// <param name="Price">Price of its last record.</param>
public sealed record ChaosExpectedRow(long Id, long Version, string Title, decimal Price);
