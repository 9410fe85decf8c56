namespace Shopstream.Lake.Tests;

public sealed class LakeOptionsTests
{
    [Theory]
    [InlineData("MaxRows", "Shopstream:Lake:MaxRows must be between 1 and 10000000 (was 0)")]
    [InlineData("MaxAge", "Shopstream:Lake:MaxAge must be between 00:00:00.010 and 01:00:00 (was 00:00:00)")]
    [InlineData("Compression", "Shopstream:Lake:Compression must be Snappy or Zstd, not 'Brotli'")]
    [InlineData("Both", "Shopstream:Lake:Path and Shopstream:Lake:S3:Bucket are both set")]
    [InlineData("ServiceUrl", "Shopstream:Lake:S3:ServiceUrl must be an absolute http(s) URL, not 'localhost:4568'")]
    public void Bad_setting_is_rejected_naming_its_key(string setting, string message)
    {
        var options = new LakeOptions { Path = ".lake" };
        switch (setting)
        {
            case "MaxRows": options.MaxRows = 0; break;
            case "MaxAge": options.MaxAge = TimeSpan.Zero; break;
            case "Compression": options.Compression = "Brotli"; break;
            case "Both": options.S3.Bucket = "lake"; break;
            case "ServiceUrl": options.Path = null; options.S3.Bucket = "lake"; options.S3.ServiceUrl = "localhost:4568"; break;
        }

        var error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lake_is_off_without_a_directory_or_a_bucket()
    {
        Assert.False(new LakeOptions().Enabled);
        Assert.True(new LakeOptions { Path = ".lake" }.Enabled);
        Assert.True(new LakeOptions { S3 = { Bucket = "lake" } }.Enabled);
    }
}
