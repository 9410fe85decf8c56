namespace Shopstream.Ingest.Events;

/// <summary>What <see cref="UserAgentClassifier"/> makes of one user-agent string: the <c>dim_user_agent</c> columns.</summary>
/// <param name="Browser">Chrome, Edge, Firefox, Safari, Opera, Samsung Internet, Bot, Other or Unknown.</param>
/// <param name="Os">Windows, macOS, iOS, Android, Linux, Other or Unknown.</param>
/// <param name="DeviceType">desktop, mobile, tablet, bot or unknown.</param>
public sealed record UserAgentProfile(string Browser, string Os, string DeviceType);
