using Shopstream.Grains.Interfaces.Records;
using Shopstream.Ingest.Events;
using Xunit;

namespace Shopstream.Ingest.Tests.Contracts;

public sealed class EventFactKeyTests
{
    [Fact]
    public void Event_key_is_the_hex_sha256_of_event_id_and_product_key()
    {
        Assert.Equal("5a8c6222f8d54f84dfc60f7f10992b780da2b05ba825718e552a525a7b71db4e", EventFact.KeyOf("evt-1", "42"));
    }

    [Fact]
    public void Same_event_and_product_give_the_same_key_and_another_product_another_key()
    {
        // hashlib.sha256(f"{event_id}\x1f{product_key or ''}".encode()).hexdigest(), computed outside the code under test.
        Assert.Equal("5a8c6222f8d54f84dfc60f7f10992b780da2b05ba825718e552a525a7b71db4e", EventFact.KeyOf("evt-1", "42"));
        Assert.Equal("6588fa7d8259858f2cd28d034c821652a8a5c4953b7e3828ce93f294ff58ab67", EventFact.KeyOf("evt-1", "43"));
        Assert.Equal("50558b5b195b3c2d1a71652aa292f151c28630b833ee62410976ce96fe5f465e", EventFact.KeyOf("evt-1", null));
    }

    [Fact]
    public void Moving_characters_between_event_id_and_product_key_changes_the_key()
    {
        Assert.Equal("e30182436655fdee1fd60f5f0cc616ded769f9ae4eab2e024fbafb71d22e91b1", EventFact.KeyOf("evt-14", "2"));
    }

    [Fact]
    public void Key_of_a_click_event_uses_its_event_id_and_product_id()
    {
        var clickEvent = new ClickEvent
        {
            EventId = "evt-1",
            EventType = "product_view",
            OccurredAt = DateTimeOffset.UnixEpoch,
            SessionKey = "s",
            ProductId = "42",
            Browser = "Chrome",
            Os = "Windows",
            DeviceType = "desktop",
            ReferrerType = "direct",
        };

        Assert.Equal("5a8c6222f8d54f84dfc60f7f10992b780da2b05ba825718e552a525a7b71db4e", EventFact.KeyOf(clickEvent.EventId, clickEvent.ProductId));
    }
}
