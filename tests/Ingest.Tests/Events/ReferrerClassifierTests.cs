using Shopstream.Ingest.Events;
using Xunit;

namespace Shopstream.Ingest.Tests.Events;

public sealed class ReferrerClassifierTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void No_referrer_is_direct_traffic(string? referrer)
    {
        Assert.Equal(new ReferrerProfile(null, "direct"), ReferrerClassifier.Classify(referrer));
    }

    [Theory]
    [InlineData("https://www.google.com/search?q=mascara", "google.com")]
    [InlineData("https://www.google.co.uk/", "google.co.uk")]
    [InlineData("https://www.google.com.br/", "google.com.br")]
    [InlineData("https://www.bing.com/search?q=x", "bing.com")]
    [InlineData("https://search.yahoo.com/search?p=x", "search.yahoo.com")]
    [InlineData("https://duckduckgo.com/?q=x", "duckduckgo.com")]
    [InlineData("https://www.baidu.com/s?wd=x", "baidu.com")]
    [InlineData("https://yandex.ru/search/?text=x", "yandex.ru")]
    [InlineData("https://www.ecosia.org/search?q=x", "ecosia.org")]
    [InlineData("https://search.brave.com/search?q=x", "search.brave.com")]
    public void Search_engines_in_any_country_domain_are_search(string referrer, string domain)
    {
        Assert.Equal(new ReferrerProfile(domain, "search"), ReferrerClassifier.Classify(referrer));
    }

    [Theory]
    [InlineData("https://l.facebook.com/l.php?u=https%3A%2F%2Fshop.example.com", "l.facebook.com")]
    [InlineData("https://m.facebook.com/", "m.facebook.com")]
    [InlineData("https://www.instagram.com/", "instagram.com")]
    [InlineData("https://t.co/AbC123", "t.co")]
    [InlineData("https://x.com/someone/status/1", "x.com")]
    [InlineData("https://twitter.com/someone", "twitter.com")]
    [InlineData("https://www.linkedin.com/feed/", "linkedin.com")]
    [InlineData("https://lnkd.in/abc", "lnkd.in")]
    [InlineData("https://www.pinterest.co.uk/pin/1/", "pinterest.co.uk")]
    [InlineData("https://www.reddit.com/r/makeup/", "reddit.com")]
    [InlineData("https://www.tiktok.com/@someone", "tiktok.com")]
    [InlineData("https://www.youtube.com/watch?v=1", "youtube.com")]
    [InlineData("https://youtu.be/abc", "youtu.be")]
    public void Social_networks_and_their_short_links_are_social(string referrer, string domain)
    {
        Assert.Equal(new ReferrerProfile(domain, "social"), ReferrerClassifier.Classify(referrer));
    }

    [Theory]
    [InlineData("https://shop.example.com/cart", "https://shop.example.com/products/1", "shop.example.com")]
    [InlineData("https://www.example.com/", "https://shop.example.com/products/1", "example.com")]
    [InlineData("https://blog.example.com/post", "example.com", "blog.example.com")]
    [InlineData("https://blog.example.co.uk/post", "https://www.example.co.uk/", "blog.example.co.uk")]
    [InlineData("http://localhost:5000/p/2", "http://localhost:5000/p/1", "localhost")]
    [InlineData("https://www.google.com/", "https://store.google.com/product/pixel", "google.com")]
    public void Referrer_of_the_same_registrable_domain_as_the_site_is_internal(string referrer, string site, string domain)
    {
        Assert.Equal(new ReferrerProfile(domain, "internal"), ReferrerClassifier.Classify(referrer, site));
    }

    [Fact]
    public void Any_of_several_own_sites_makes_a_referrer_internal_and_null_sites_are_ignored()
    {
        Assert.Equal("internal", ReferrerClassifier.Classify("https://checkout.example.net/", null, "https://shop.example.com/", "example.net").Type);
        Assert.Equal("other", ReferrerClassifier.Classify("https://checkout.example.net/", null, "not a host!").Type);
    }

    [Theory]
    [InlineData("https://other.co.uk/", "https://example.co.uk/")]
    [InlineData("https://example.com.evil.net/", "https://example.com/")]
    [InlineData("https://notexample.com/", "https://example.com/")]
    public void Lookalike_domains_are_not_internal(string referrer, string site)
    {
        Assert.Equal("other", ReferrerClassifier.Classify(referrer, site).Type);
    }

    [Theory]
    [InlineData("https://news.ycombinator.com/item?id=1", "news.ycombinator.com")]
    [InlineData("https://x.co.uk/", "x.co.uk")]
    [InlineData("https://www.googleusercontent.com/", "googleusercontent.com")]
    [InlineData("HTTPS://WWW.Example.ORG:8443/Path", "example.org")]
    [InlineData("http://192.168.1.10/admin", "192.168.1.10")]
    public void Any_other_site_is_other_with_its_lower_case_domain_without_www(string referrer, string domain)
    {
        Assert.Equal(new ReferrerProfile(domain, "other"), ReferrerClassifier.Classify(referrer));
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("www.google.com/search?q=x")]
    [InlineData("android-app://com.google.android.gm/")]
    [InlineData("ftp://files.example.com/")]
    [InlineData("/relative/path")]
    [InlineData("https://")]
    public void Referrer_that_is_not_an_http_url_is_other_without_a_domain(string referrer)
    {
        Assert.Equal(new ReferrerProfile(null, "other"), ReferrerClassifier.Classify(referrer));
    }

    [Fact]
    public void International_domain_names_come_out_as_punycode()
    {
        Assert.Equal("xn--bcher-kva.de", ReferrerClassifier.DomainOf("https://www.bücher.de/"));
    }
}
