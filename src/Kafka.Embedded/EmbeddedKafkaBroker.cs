using System.Runtime.InteropServices;
using Shopstream.Streaming.Kafka;

namespace Shopstream.Kafka.Embedded;

/// <summary>
/// A Kafka-protocol broker inside this process: librdkafka's mock cluster, reachable over loopback TCP
/// by any Kafka client. It has consumer groups, offset commits and the idempotent producer, but it keeps
/// only a few megabytes per partition and nothing survives the process. For demos and tests only.
/// </summary>
public sealed unsafe class EmbeddedKafkaBroker : IDisposable
{
    private const int ProducerType = 0;
    private readonly IntPtr client;
    private IntPtr cluster;

    private readonly delegate* unmanaged<IntPtr, int, IntPtr> clusterNew;
    private readonly delegate* unmanaged<IntPtr, IntPtr> clusterBootstraps;
    private readonly delegate* unmanaged<IntPtr, void> clusterDestroy;
    private readonly delegate* unmanaged<IntPtr, byte*, int, int, int> topicCreate;
    private readonly delegate* unmanaged<IntPtr, int, int> brokerSetDown;
    private readonly delegate* unmanaged<IntPtr, int, int> brokerSetUp;
    private readonly delegate* unmanaged<IntPtr, short, nuint, int*, void> pushRequestErrors;
    private readonly delegate* unmanaged<IntPtr, void> destroyClient;

    private EmbeddedKafkaBroker(int brokerCount)
    {
        LibrdkafkaLocator.EnsureLoaded();
        var lib = LibrdkafkaLocator.Handle;
        var confNew = (delegate* unmanaged<IntPtr>)NativeLibrary.GetExport(lib, "rd_kafka_conf_new");
        var kafkaNew = (delegate* unmanaged<int, IntPtr, byte*, nuint, IntPtr>)NativeLibrary.GetExport(lib, "rd_kafka_new");
        var confSet = (delegate* unmanaged<IntPtr, byte*, byte*, byte*, nuint, int>)NativeLibrary.GetExport(lib, "rd_kafka_conf_set");
        clusterNew = (delegate* unmanaged<IntPtr, int, IntPtr>)NativeLibrary.GetExport(lib, "rd_kafka_mock_cluster_new");
        clusterBootstraps = (delegate* unmanaged<IntPtr, IntPtr>)NativeLibrary.GetExport(lib, "rd_kafka_mock_cluster_bootstraps");
        clusterDestroy = (delegate* unmanaged<IntPtr, void>)NativeLibrary.GetExport(lib, "rd_kafka_mock_cluster_destroy");
        topicCreate = (delegate* unmanaged<IntPtr, byte*, int, int, int>)NativeLibrary.GetExport(lib, "rd_kafka_mock_topic_create");
        brokerSetDown = (delegate* unmanaged<IntPtr, int, int>)NativeLibrary.GetExport(lib, "rd_kafka_mock_broker_set_down");
        brokerSetUp = (delegate* unmanaged<IntPtr, int, int>)NativeLibrary.GetExport(lib, "rd_kafka_mock_broker_set_up");
        pushRequestErrors = (delegate* unmanaged<IntPtr, short, nuint, int*, void>)NativeLibrary.GetExport(lib, "rd_kafka_mock_push_request_errors_array");
        destroyClient = (delegate* unmanaged<IntPtr, void>)NativeLibrary.GetExport(lib, "rd_kafka_destroy");

        var errstr = stackalloc byte[512];
        var conf = confNew();
        // The handle that owns the mock cluster never talks to it; keep its own logging quiet.
        SetConf(confSet, conf, "log_level", "3", errstr);
        client = kafkaNew(ProducerType, conf, errstr, 512);
        if (client == IntPtr.Zero)
        {
            throw new InvalidOperationException("rd_kafka_new failed: " + Marshal.PtrToStringUTF8((IntPtr)errstr));
        }
        cluster = clusterNew(client, brokerCount);
        if (cluster == IntPtr.Zero)
        {
            destroyClient(client);
            throw new InvalidOperationException("rd_kafka_mock_cluster_new failed");
        }
        BootstrapServers = Marshal.PtrToStringUTF8(clusterBootstraps(cluster)) ?? throw new InvalidOperationException("mock cluster has no bootstrap servers");
        BrokerCount = brokerCount;
    }

    /// <summary>Comma-separated <c>host:port</c> list for <c>bootstrap.servers</c>.</summary>
    public string BootstrapServers { get; }

    /// <summary>How many brokers the mock cluster has (ids 1..N).</summary>
    public int BrokerCount { get; }

    /// <summary>Starts a mock cluster with <paramref name="brokerCount"/> brokers on loopback.</summary>
    public static EmbeddedKafkaBroker Start(int brokerCount = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(brokerCount, 1);
        return new EmbeddedKafkaBroker(brokerCount);
    }

    /// <summary>Creates a topic; an existing topic is left as it is.</summary>
    public void CreateTopic(string topic, int partitions, int replicationFactor = 1)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        var bytes = System.Text.Encoding.UTF8.GetBytes(topic + "\0");
        fixed (byte* p = bytes)
        {
            var err = topicCreate(Cluster, p, partitions, Math.Min(replicationFactor, BrokerCount));
            // 36 = TOPIC_ALREADY_EXISTS.
            if (err != 0 && err != 36)
            {
                throw new InvalidOperationException($"creating topic '{topic}' failed with Kafka error code {err}");
            }
        }
    }

    /// <summary>Takes a broker down: its connections close and it accepts none until <see cref="SetBrokerUp"/>.</summary>
    public void SetBrokerDown(int brokerId) => Check(brokerSetDown(Cluster, brokerId), "set_down");

    /// <summary>Brings a broker back up.</summary>
    public void SetBrokerUp(int brokerId) => Check(brokerSetUp(Cluster, brokerId), "set_up");

    /// <summary>
    /// Makes the next requests of one Kafka API fail with the given error codes, one per request, in order.
    /// </summary>
    /// <param name="apiKey">Kafka API key, e.g. 0 Produce, 1 Fetch, 8 OffsetCommit.</param>
    /// <param name="errorCodes">Kafka error codes, e.g. 6 NOT_LEADER_OR_FOLLOWER, 7 REQUEST_TIMED_OUT.</param>
    public void PushRequestErrors(short apiKey, params int[] errorCodes)
    {
        ArgumentNullException.ThrowIfNull(errorCodes);
        fixed (int* p = errorCodes)
        {
            pushRequestErrors(Cluster, apiKey, (nuint)errorCodes.Length, p);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (cluster == IntPtr.Zero)
        {
            return;
        }
        clusterDestroy(cluster);
        cluster = IntPtr.Zero;
        destroyClient(client);
    }

    private IntPtr Cluster => cluster != IntPtr.Zero ? cluster : throw new ObjectDisposedException(nameof(EmbeddedKafkaBroker));

    private static void Check(int err, string what)
    {
        if (err != 0)
        {
            throw new InvalidOperationException($"rd_kafka_mock_broker_{what} failed with Kafka error code {err}");
        }
    }

    private static void SetConf(delegate* unmanaged<IntPtr, byte*, byte*, byte*, nuint, int> confSet, IntPtr conf, string name, string value, byte* errstr)
    {
        var n = System.Text.Encoding.UTF8.GetBytes(name + "\0");
        var v = System.Text.Encoding.UTF8.GetBytes(value + "\0");
        fixed (byte* pn = n, pv = v)
        {
            if (confSet(conf, pn, pv, errstr, 512) != 0)
            {
                throw new InvalidOperationException($"rd_kafka_conf_set {name} failed: " + Marshal.PtrToStringUTF8((IntPtr)errstr));
            }
        }
    }
}
